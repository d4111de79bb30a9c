package io.mxgate.system;

import io.mxgate.testkit.Ports;
import io.mxgate.testkit.Sink;
import io.mxgate.testkit.SmtpDialogue;
import io.mxgate.testkit.Stack;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 17, finding 5: the Redis queue index is rebuilt from Kafka (ADR 0010). Relay mail is deferred while its
 * server is down (some messages also have a recipient whose server is up, delivered at once), then Redis loses
 * everything (FLUSHALL); when the server is back, every deferred recipient arrives exactly once and no recipient
 * delivered before the loss arrives again, through the automatic rebuild, {@code ./mxgate queue reindex} and
 * {@code ./mxgate queue flush} alike (counted at the smtp-sinks).
 */
class QueueReindexTest {

    private static final int MESSAGES = 6;

    @Test
    void deferredMailSurvivesALostIndex() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "mxgate-reindex-");
        try (AutoCloseable cleanup = () -> QueueTool.delete(dir);
             Sink up = Sink.start(dir.resolve("up"), "127.0.0.1", Ports.free());
             Sink down = Sink.stopped(dir.resolve("down"), "127.0.0.1", Ports.free())) {
            try (Stack stack = QueueCrashTest.retrying(dir, up, down)) {
                String tag = UUID.randomUUID().toString();
                for (int i = 0; i < MESSAGES; i++) {
                    // even messages also go to a server that is up: that recipient must not come back
                    List<String> rcpts = i % 2 == 0 ? List.of("a@up.test", "b@down.test") : List.of("b@down.test");
                    String reply = SmtpDialogue.sendMail(stack.smtpPort(), "s@remote.test", rcpts,
                            "Subject: " + tag + "-" + i + "\r\n\r\nhello\r\n");
                    assertTrue(SmtpDialogueTest.QUEUED.matcher(reply).matches(), reply);
                }
                assertTrue(Stack.await(Duration.ofSeconds(60), () -> up.messagesContaining(tag).size() == MESSAGES / 2
                        && deferred(stack) == MESSAGES && !QueueTool.json(stack).contains("a@up.test")),
                        QueueTool.json(stack));

                assertEquals("+OK", stack.redis("FLUSHALL"));
                assertTrue(Stack.await(Duration.ofSeconds(30), () -> deferred(stack) == MESSAGES),
                        "rebuilt by itself: " + QueueTool.json(stack) + "\n" + stack.log("queue-worker"));
                assertTrue(stack.log("queue-worker").contains("queue index rebuilt from Kafka"),
                        stack.log("queue-worker"));

                // and once more, as an admin would: the index is lost, the tool brings it back
                assertEquals("+OK", stack.redis("FLUSHALL"));
                assertTrue(Stack.await(Duration.ofSeconds(30), () -> reindexed(stack)), stack.log("queue-worker"));
                assertEquals(MESSAGES, deferred(stack), QueueTool.json(stack));

                down.start();
                QueueTool.cli(stack, "flush");
                assertTrue(Stack.await(Duration.ofSeconds(60), () -> down.messagesContaining(tag).size() == MESSAGES),
                        "delivered after the rebuild: " + down.messagesContaining(tag).size() + "\n"
                                + stack.log("queue-worker"));
                assertTrue(Stack.await(Duration.ofSeconds(20), () -> QueueTool.messages(stack) == 0),
                        QueueTool.json(stack));

                // a rebuild of a healthy index queues nothing: delivered recipients are marked in Kafka
                assertTrue(QueueTool.cli(stack, "reindex").contains("\"queued\":0"), stack.log("queue-worker"));
                Thread.sleep(3000);
                assertEquals(0, QueueTool.messages(stack), QueueTool.json(stack));
                for (int i = 0; i < MESSAGES; i++) {
                    String subject = "Subject: " + tag + "-" + i + "\n";
                    assertEquals(i % 2 == 0 ? 1 : 0, up.deliveries("a@up.test", subject),
                            "a@up.test got message " + i + " once");
                    assertEquals(1, down.deliveries("b@down.test", subject), "b@down.test got message " + i + " once");
                }
            }
        }
    }

    /** Deferred b@down.test recipients in the queue listing. */
    private static int deferred(Stack stack) {
        return QueueTool.count(QueueTool.json(stack), "\"address\":\"b@down.test\"");
    }

    /** POST /v1/queue/reindex (what {@code ./mxgate queue reindex} calls) ran: false while another rebuild runs. */
    private static boolean reindexed(Stack stack) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                    "http://127.0.0.1:" + stack.httpPort("queue-worker") + "/v1/queue/reindex"))
                    .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 && r.body().contains("\"queued\":");
        } catch (java.io.IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}

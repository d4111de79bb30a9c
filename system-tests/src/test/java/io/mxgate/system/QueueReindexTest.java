package io.mxgate.system;

import io.mxgate.testkit.Ports;
import io.mxgate.testkit.Sink;
import io.mxgate.testkit.SmtpDialogue;
import io.mxgate.testkit.Stack;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 17, finding 5: the Redis queue index is rebuilt from Kafka (ADR 0010). Relay mail is deferred while its
 * server is down (some messages also have a recipient whose server is up, delivered at once), then Redis loses
 * everything (FLUSHALL), or goes back to an older copy of itself (a restored snapshot, a replica that missed the last
 * writes); when the server is back, every deferred recipient arrives exactly once and no recipient delivered before
 * the loss arrives again, through the automatic rebuild, {@code ./mxgate queue reindex} and
 * {@code ./mxgate queue flush} alike (counted at the smtp-sinks). A queued message whose body Kafka no longer has is
 * returned to its sender.
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
                send(stack, tag, 0, MESSAGES);
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

                deliverAll(stack, down, tag);
                // a rebuild of a healthy index queues nothing: delivered recipients are marked in Kafka
                assertTrue(QueueTool.cli(stack, "reindex").contains("\"queued\":0"), stack.log("queue-worker"));
                assertEachOnce(stack, up, down, tag);
            }
        }
    }

    /**
     * Redis goes back to a copy of its append-only file taken after the first half of the mail was deferred: the index
     * has its epoch and those entries, and lacks the second half, whose intake offsets Kafka has committed since.
     */
    @Test
    void deferredMailSurvivesAnOldSnapshot() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "mxgate-snapshot-");
        try (AutoCloseable cleanup = () -> QueueTool.delete(dir);
             Sink up = Sink.start(dir.resolve("up"), "127.0.0.1", Ports.free());
             Sink down = Sink.stopped(dir.resolve("down"), "127.0.0.1", Ports.free())) {
            try (Stack stack = QueueCrashTest.retrying(dir, up, down)) {
                String tag = UUID.randomUUID().toString();
                send(stack, tag, 0, MESSAGES / 2);
                // the copy is taken once the recipients on the server that is up have left the index
                assertTrue(Stack.await(Duration.ofSeconds(60), () -> deferred(stack) == MESSAGES / 2
                        && up.messagesContaining(tag).size() == 2 && !QueueTool.json(stack).contains("a@up.test")),
                        QueueTool.json(stack));
                Path aof = stack.dir().resolve("redis/appendonlydir");
                Path snapshot = dir.resolve("snapshot");
                copy(aof, snapshot);

                send(stack, tag, MESSAGES / 2, MESSAGES);
                assertTrue(Stack.await(Duration.ofSeconds(60), () -> deferred(stack) == MESSAGES
                        && up.messagesContaining(tag).size() == MESSAGES / 2
                        && !QueueTool.json(stack).contains("a@up.test")), QueueTool.json(stack));

                stack.stopRedis();
                QueueTool.delete(aof);
                copy(snapshot, aof);
                stack.startRedis();
                assertTrue(Stack.await(Duration.ofSeconds(30), () -> deferred(stack) == MESSAGES),
                        "rebuilt by itself: " + QueueTool.json(stack) + "\n" + stack.log("queue-worker"));
                assertTrue(stack.log("queue-worker").contains("queue index rebuilt from Kafka"),
                        stack.log("queue-worker"));

                deliverAll(stack, down, tag);
                assertEachOnce(stack, up, down, tag);
            }
        }
    }

    /**
     * A deferred message whose record Kafka has deleted (retention ran out; here Kafka's delete-records) is returned
     * to its sender with Postfix's failure report, status 5.3.0, when its next attempt finds the body gone.
     */
    @Test
    void aLostBodyIsReturnedToTheSender() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "mxgate-lostbody-");
        try (AutoCloseable cleanup = () -> QueueTool.delete(dir);
             Sink up = Sink.start(dir.resolve("up"), "127.0.0.1", Ports.free());
             Sink down = Sink.stopped(dir.resolve("down"), "127.0.0.1", Ports.free())) {
            try (Stack stack = QueueCrashTest.retrying(dir, up, down)) {
                String tag = UUID.randomUUID().toString();
                String reply = SmtpDialogue.sendMail(stack.smtpPort(), "s@up.test", List.of("b@down.test"),
                        "Subject: " + tag + "\r\n\r\nhello\r\n");
                assertTrue(SmtpDialogueTest.QUEUED.matcher(reply).matches(), reply);
                String queueId = QueueTool.queueId(reply);
                assertTrue(Stack.await(Duration.ofSeconds(60), () -> deferred(stack) == 1), QueueTool.json(stack));

                deleteRecords(stack, "mxgate.incoming");
                QueueTool.cli(stack, "flush");
                assertTrue(Stack.await(Duration.ofSeconds(60), () -> !up.messagesContaining(queueId).isEmpty()),
                        "a DSN for " + queueId + ": " + up.messages() + "\n" + stack.log("queue-worker"));
                String dsn = up.messagesContaining(queueId).get(0);
                assertEquals(List.of("s@up.test"), Sink.recipients(dsn), dsn);
                for (String text : List.of("Subject: Undelivered Mail Returned to Sender",
                        "This is the mail system at host mx.example.test.",
                        "<b@down.test>: message content lost from the queue", "X-Postfix-Queue-ID: " + queueId,
                        "Final-Recipient: rfc822; b@down.test", "Action: failed", "Status: 5.3.0")) {
                    assertTrue(dsn.contains(text), text + " in\n" + dsn);
                }
                assertTrue(stack.log("queue-worker").contains(queueId + ": to=<b@down.test>, relay=none, "
                        + "status=bounced (message content lost from the queue)"), stack.log("queue-worker"));
                assertTrue(Stack.await(Duration.ofSeconds(20), () -> QueueTool.messages(stack) == 0),
                        QueueTool.json(stack));
                down.start();
                Thread.sleep(3000);
                assertEquals(0, down.messagesContaining(tag).size(), "a lost body is never delivered");
            }
        }
    }

    /** The down server comes back and the queue is flushed: every message reaches it and leaves the queue. */
    private static void deliverAll(Stack stack, Sink down, String tag) {
        down.start();
        QueueTool.cli(stack, "flush");
        assertTrue(Stack.await(Duration.ofSeconds(60), () -> down.messagesContaining(tag).size() == MESSAGES),
                "delivered after the loss: " + down.messagesContaining(tag).size() + "\n" + stack.log("queue-worker"));
        assertTrue(Stack.await(Duration.ofSeconds(20), () -> QueueTool.messages(stack) == 0), QueueTool.json(stack));
    }

    /** A while later still nothing is queued, and each recipient of each message got it exactly once. */
    private static void assertEachOnce(Stack stack, Sink up, Sink down, String tag) throws InterruptedException {
        Thread.sleep(3000);
        assertEquals(0, QueueTool.messages(stack), QueueTool.json(stack));
        for (int i = 0; i < MESSAGES; i++) {
            String subject = "Subject: " + tag + "-" + i + "\n";
            assertEquals(i % 2 == 0 ? 1 : 0, up.deliveries("a@up.test", subject), "a@up.test got message " + i + " once");
            assertEquals(1, down.deliveries("b@down.test", subject), "b@down.test got message " + i + " once");
        }
    }

    private static void send(Stack stack, String tag, int from, int to) throws Exception {
        for (int i = from; i < to; i++) {
            // even messages also go to a server that is up: that recipient must not come back
            List<String> rcpts = i % 2 == 0 ? List.of("a@up.test", "b@down.test") : List.of("b@down.test");
            String reply = SmtpDialogue.sendMail(stack.smtpPort(), "s@remote.test", rcpts,
                    "Subject: " + tag + "-" + i + "\r\n\r\nhello\r\n");
            assertTrue(SmtpDialogueTest.QUEUED.matcher(reply).matches(), reply);
        }
    }

    /** Copies a directory of plain files (Redis' append-only files). */
    private static void copy(Path from, Path to) throws java.io.IOException {
        Files.createDirectories(to);
        try (var files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
    }

    /** Kafka's delete-records up to the end of every partition of the topic, as a retention that ran out does. */
    private static void deleteRecords(Stack stack, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers",
                stack.setting("MXGATE_KAFKA_BOOTSTRAP_SERVERS")))) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic).partitions()
                    .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
            Map<TopicPartition, RecordsToDelete> delete = new HashMap<>();
            admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS)
                    .forEach((tp, info) -> delete.put(tp, RecordsToDelete.beforeOffset(info.offset())));
            admin.deleteRecords(delete).all().get(30, TimeUnit.SECONDS);
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

package io.mxgate.system;

import io.mxgate.testkit.Ports;
import io.mxgate.testkit.Sink;
import io.mxgate.testkit.SmtpDialogue;
import io.mxgate.testkit.Stack;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 6, acceptance 4: kill -9 the queue-worker while it retries. Each message has one recipient whose server is
 * up (delivered on the first attempt) and one whose server is down (retried every second or two). After the kill
 * and a restart every deferred recipient is still queued, and when its server comes back each message reaches
 * each server exactly once: the restart neither lost nor repeated anything (counted at the smtp-sinks).
 */
class QueueCrashTest {

    private static final int MESSAGES = 20;

    @Test
    void killedDuringRetriesNothingLostNothingTwice() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "mxgate-crash-");
        try (AutoCloseable cleanup = () -> QueueTool.delete(dir);
             Sink up = Sink.start(dir.resolve("up"), "127.0.0.1", Ports.free());
             Sink down = Sink.stopped(dir.resolve("down"), "127.0.0.1", Ports.free())) {
            try (Stack stack = retrying(dir, up, down)) {
                String tag = UUID.randomUUID().toString();
                for (int i = 0; i < MESSAGES; i++) {
                    String reply = SmtpDialogue.sendMail(stack.smtpPort(), "s@remote.test",
                            List.of("a@up.test", "b@down.test"), "Subject: " + tag + "-" + i + "\r\n\r\nhello\r\n");
                    assertTrue(SmtpDialogueTest.QUEUED.matcher(reply).matches(), reply);
                }
                assertTrue(Stack.await(Duration.ofSeconds(60), () -> up.messagesContaining(tag).size() == MESSAGES
                        && QueueTool.count(QueueTool.json(stack), "\"address\":\"b@down.test\"") == MESSAGES), QueueTool.json(stack));
                // Let it retry a few rounds, then crash it in the middle of that.
                assertTrue(Stack.await(Duration.ofSeconds(30), () -> QueueTool.count(stack.log("queue-worker"),
                        "to=<b@down.test>") >= 3 * MESSAGES), stack.log("queue-worker"));
                stack.killService("queue-worker");
                long t0 = System.nanoTime();
                stack.startService("queue-worker");
                long restarted = System.nanoTime() - t0;

                assertEquals(MESSAGES, QueueTool.count(QueueTool.json(stack), "\"address\":\"b@down.test\""),
                        "every deferred recipient is still queued after the restart");
                assertTrue(QueueTool.json(stack).contains("Connection refused"), QueueTool.json(stack));

                down.start();
                long t1 = System.nanoTime();
                assertTrue(Stack.await(Duration.ofSeconds(60), () -> down.messagesContaining(tag).size() == MESSAGES),
                        "delivered after the restart: " + down.messagesContaining(tag).size());
                System.out.printf("kill -9 during retries: restart to ready %d ms; server back to %d delivered "
                        + "(retries every 1-2 s, no flush) %d ms%n", restarted / 1_000_000, MESSAGES,
                        (System.nanoTime() - t1) / 1_000_000);
                assertTrue(Stack.await(Duration.ofSeconds(20), () -> QueueTool.messages(stack) == 0),
                        QueueTool.json(stack));
                Thread.sleep(2000);
                for (int i = 0; i < MESSAGES; i++) {
                    String subject = "Subject: " + tag + "-" + i + "\n";
                    assertEquals(1, up.deliveries("a@up.test", subject), "a@up.test got message " + i + " once");
                    assertEquals(1, down.deliveries("b@down.test", subject), "b@down.test got message " + i + " once");
                }
            }
        }
    }

    /**
     * A stack that relays {@code up.test} and {@code down.test} to the two sinks and retries every second or two,
     * its client trusted (these tests are about the queue, not about who may relay).
     */
    static Stack retrying(Path dir, Sink up, Sink down) throws java.io.IOException {
        Files.writeString(dir.resolve("transport"), "up.test     relay:" + up.nextHop() + "\n"
                + "down.test   relay:" + down.nextHop() + "\n");
        return Stack.start(Map.of(
                "MXGATE_MYNETWORKS", "127.0.0.0/8",
                "MXGATE_TRANSPORT_MAPS", "hash:" + dir.resolve("transport"),
                "MXGATE_MINIMAL_BACKOFF_TIME", "1s",
                "MXGATE_MAXIMAL_BACKOFF_TIME", "2s",
                "MXGATE_QUEUE_RUN_DELAY", "1s",
                "MXGATE_QUEUE_LEASE_TIME", "4s"));
    }
}

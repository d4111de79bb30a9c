package io.mxgate.system;

import io.mxgate.testkit.FaultyLmtpServer;
import io.mxgate.testkit.SmtpDialogue;
import io.mxgate.testkit.Stack;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A backend slower than the consumer's {@code max.poll.interval.ms} (issue 17, finding 3). Postfix waits up to
 * {@code lmtp_data_done_timeout} (600 s) for the replies to the final dot; the Kafka consumer is evicted from its group
 * when it does not poll for {@code max.poll.interval.ms} (300 s by default, here 41 s: the drain timeout, twice the ack
 * timeout and 30 s). The loop must stay in its group while it waits: then its commit succeeds and nothing is delivered
 * twice. Before the fix it did not poll during a delivery, and a stall past the interval got it evicted.
 */
class DeliverySlowBackendTest {

    /** Longer than this stack's max.poll.interval.ms of 41 s. */
    private static final Duration STALL = Duration.ofSeconds(50);

    @Test
    void aStallLongerThanThePollIntervalKeepsTheConsumerInItsGroup() throws Exception {
        try (FaultyLmtpServer backend = new FaultyLmtpServer(STALL)) {
            Map<String, String> settings = new HashMap<>(SharedStack.TEST_SETTINGS);
            settings.put("MXGATE_VIRTUAL_TRANSPORT", "lmtp:[127.0.0.1]:" + backend.port());
            settings.put("MXGATE_LMTP_DRAIN_TIMEOUT", "1s");
            try (Stack stack = Stack.start(settings)) {
                for (String rcpt : List.of("user@example.test", "slow@example.test")) {
                    assertTrue(SmtpDialogue.rcptPastInProgress(stack.smtpPort(), null, rcpt).startsWith("250 "), rcpt);
                }
                String tag = UUID.randomUUID().toString();
                String slow = tag + " slow";
                send(stack, "slow@example.test", slow);
                assertTrue(Stack.await(Duration.ofSeconds(30), () -> backend.slowPending() > 0),
                        "the final dot waits for its reply");
                assertTrue(Stack.await(STALL.plusSeconds(30), () -> backend.deliveries(slow) > 0),
                        "the slow message is delivered");

                String after = tag + " after";
                send(stack, "user@example.test", after);
                assertTrue(Stack.await(Duration.ofSeconds(30), () -> backend.deliveries(after) > 0),
                        "the loop goes on delivering");
                // an evicted consumer's commit fails, and the next owner of the partition delivers the record again
                Thread.sleep(8_000);
                assertEquals(1, backend.deliveries(slow), "the slow message is delivered once");
                String log = stack.log("lmtp-delivery");
                assertFalse(log.contains("cannot commit"), log);
                assertFalse(log.contains("fatal:"), log);
            }
        }
    }

    private static void send(Stack stack, String recipient, String subject) {
        String reply = SmtpDialogue.sendMail(stack.smtpPort(), "s@remote.test", List.of(recipient),
                "Subject: " + subject + "\r\n\r\nbody\r\n");
        assertTrue(SmtpDialogueTest.QUEUED.matcher(reply).matches(), reply);
    }
}

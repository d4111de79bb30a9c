package io.mxgate.system;

import io.mxgate.testkit.FaultyLmtpServer;
import io.mxgate.testkit.SmtpDialogue;
import io.mxgate.testkit.Stack;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A held record must not bring back the records after it that other workers of the same poll delivered (issue 17,
 * finding 3). One partition, four parallel LMTP transactions, no connection reuse: when the backend refuses one
 * connection of a poll, that record is held and the consumer seeks back to it, while the transactions started with
 * it on other connections have delivered theirs. Before the fix the seek delivered those a second time.
 */
class DeliveryHoldTest {

    private static final int MESSAGES = 8;

    @Test
    void aRefusedConnectionHoldsOnlyItsOwnRecord() throws Exception {
        try (FaultyLmtpServer backend = new FaultyLmtpServer()) {
            Map<String, String> settings = new HashMap<>(SharedStack.TEST_SETTINGS);
            settings.put("MXGATE_VIRTUAL_TRANSPORT", "lmtp:[127.0.0.1]:" + backend.port());
            settings.put("MXGATE_KAFKA_PARTITIONS", "1");
            settings.put("MXGATE_LMTP_DESTINATION_CONCURRENCY_LIMIT", "4");
            settings.put("MXGATE_LMTP_CONNECTION_CACHE_TIME_LIMIT", "1ms");
            try (Stack stack = Stack.start(settings)) {
                String tag = UUID.randomUUID().toString();
                // the address is verified while the backend answers probes, so the messages are cache hits
                assertTrue(SmtpDialogue.rcptPastInProgress(stack.smtpPort(), null, "user@example.test")
                        .startsWith("250 "), "the address is verified");
                String first = tag + " first";
                send(stack, first);
                assertTrue(Stack.await(Duration.ofSeconds(60), () -> backend.deliveries(first) == 1),
                        "the first message is delivered");

                // the backend refuses everything while the messages queue up in the one partition, then exactly one
                // more connection: the next poll takes all of them, and one of its first four transactions fails
                backend.refuse(Integer.MAX_VALUE);
                List<String> subjects = new ArrayList<>();
                for (int i = 0; i < MESSAGES; i++) {
                    String subject = tag + " " + i;
                    send(stack, subject);
                    subjects.add(subject);
                }
                backend.refuse(1);

                assertTrue(Stack.await(Duration.ofSeconds(60), () -> subjects.stream()
                        .allMatch(s -> backend.deliveries(s) > 0)), "every message is delivered");
                assertTrue(stack.log("lmtp-delivery").contains("LMTP backend unavailable"),
                        "a poll was held back by a refused connection");
                // a seek back re-reads the records after the held one at once; give it time to show
                Thread.sleep(5_000);
                for (String s : subjects) {
                    assertEquals(1, backend.deliveries(s), s + " delivered once");
                }
            }
        }
    }

    private static void send(Stack stack, String subject) {
        String reply = SmtpDialogue.sendMail(stack.smtpPort(), "s@remote.test", List.of("user@example.test"),
                "Subject: " + subject + "\r\n\r\nbody\r\n");
        assertTrue(SmtpDialogueTest.QUEUED.matcher(reply).matches(), reply);
    }
}

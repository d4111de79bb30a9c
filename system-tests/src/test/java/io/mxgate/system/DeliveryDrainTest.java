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
 * SIGTERM to lmtp-delivery while a batch waits for the backend's replies to the final dot (issue 17, finding 3): the
 * deliveries under way finish, their offsets are committed before the process exits, and after a restart every
 * message has been delivered exactly once. The backend delays its replies so that the signal always lands mid-batch.
 */
class DeliveryDrainTest {

    private static final int MESSAGES = 6;

    @Test
    void sigtermMidBatchFinishesAndCommitsWithoutDuplicates() throws Exception {
        try (FaultyLmtpServer backend = new FaultyLmtpServer(Duration.ofSeconds(4))) {
            Map<String, String> settings = new HashMap<>(SharedStack.TEST_SETTINGS);
            settings.put("MXGATE_VIRTUAL_TRANSPORT", "lmtp:[127.0.0.1]:" + backend.port());
            settings.put("MXGATE_LMTP_DRAIN_TIMEOUT", "20s");
            try (Stack stack = Stack.start(settings)) {
                assertTrue(SmtpDialogue.rcptPastInProgress(stack.smtpPort(), null, "slow@example.test")
                        .startsWith("250 "), "the address is verified");
                String tag = UUID.randomUUID().toString();
                List<String> subjects = new ArrayList<>();
                for (int i = 0; i < MESSAGES; i++) {
                    String subject = tag + " " + i;
                    String reply = SmtpDialogue.sendMail(stack.smtpPort(), "s@remote.test", List.of("slow@example.test"),
                            "Subject: " + subject + "\r\n\r\nbody\r\n");
                    assertTrue(SmtpDialogueTest.QUEUED.matcher(reply).matches(), reply);
                    subjects.add(subject);
                }
                assertTrue(Stack.await(Duration.ofSeconds(30), () -> backend.slowPending() > 0),
                        "a final dot waits for its reply");
                stack.stopService("lmtp-delivery");
                int finishedBeforeExit = (int) subjects.stream().filter(s -> backend.deliveries(s) > 0).count();
                assertTrue(finishedBeforeExit > 0, "the delivery under way finished before the process exited");
                assertTrue(stack.log("lmtp-delivery").contains("draining: "), stack.log("lmtp-delivery"));

                stack.startService("lmtp-delivery");
                assertTrue(Stack.await(Duration.ofSeconds(60), () -> subjects.stream()
                        .allMatch(s -> backend.deliveries(s) > 0)), "every message is delivered");
                // what a missed commit would redeliver comes with the first poll after the restart: give it time
                Thread.sleep(8_000);
                for (String s : subjects) {
                    assertEquals(1, backend.deliveries(s), s + " delivered once");
                }
            }
        }
    }
}

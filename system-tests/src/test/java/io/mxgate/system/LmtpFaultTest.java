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

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An LMTP backend that answers garbage, hangs after the final dot, or closes in the middle of its replies: each
 * recipient is deferred with Postfix's words and kept on the deferred topic, and lmtp-delivery keeps running.
 */
class LmtpFaultTest {

    @Test
    void misbehavingBackendDefersAndNothingIsLost() throws Exception {
        try (FaultyLmtpServer backend = new FaultyLmtpServer()) {
            Map<String, String> settings = new HashMap<>(SharedStack.TEST_SETTINGS);
            settings.put("MXGATE_VIRTUAL_TRANSPORT", "lmtp:[127.0.0.1]:" + backend.port());
            settings.put("MXGATE_LMTP_DATA_DONE_TIMEOUT", "2s");
            try (Stack stack = Stack.start(settings)) {
                String tag = UUID.randomUUID().toString();
                for (String mode : List.of("garbage", "hang", "close")) {
                    String reply = SmtpDialogue.sendMail(stack.smtpPort(), "s@remote.test", List.of(mode + "@example.test"),
                            "Subject: " + tag + " " + mode + "\r\n\r\nbody\r\n");
                    assertTrue(SmtpDialogueTest.QUEUED.matcher(reply).matches(), reply);
                }
                String log = "lmtp-delivery";
                assertTrue(Stack.await(Duration.ofSeconds(30), () -> stack.log(log).contains(
                        "to=<garbage@example.test>, relay=none") && stack.log(log).contains(
                        "to=<hang@example.test>, relay=none") && stack.log(log).contains("to=<close@example.test>, relay=none")),
                        stack.log(log));
                String all = stack.log(log);
                assertTrue(all.contains("status=deferred (conversation with 127.0.0.1[127.0.0.1] failed while sending end of "
                        + "data -- message may be sent more than once: malformed reply"), all);
                assertTrue(all.contains("status=deferred (conversation with 127.0.0.1[127.0.0.1] timed out while sending end "
                        + "of data -- message may be sent more than once)"), all);
                assertTrue(all.contains("status=deferred (lost connection with 127.0.0.1[127.0.0.1] while sending end of "
                        + "data -- message may be sent more than once)"), all);
                // the follow-up record is written when the delivery loop settles its batch, after the log line
                for (String mode : List.of("garbage", "hang", "close")) {
                    assertTrue(Stack.await(Duration.ofSeconds(15), () -> stack.topic("mxgate.deferred").stream()
                            .anyMatch(r -> r.contains(tag + " " + mode))), mode + " waits on mxgate.deferred");
                }
                assertTrue(OutageTest.get(stack.httpPort(log), "/q/health/live").contains("\"status\": \"UP\""));
            }
        }
    }
}

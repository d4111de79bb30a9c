package io.mxgate.system;

import io.mxgate.testkit.Ports;
import io.mxgate.testkit.Script;
import io.mxgate.testkit.SmtpDialogue;
import io.mxgate.testkit.Stack;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Debian's rspamd as the one smtpd_milter (its proxy worker in milter mode, started by dev/rspamd.sh), with the
 * answers the reference Postfix 3.7 gives with the same rspamd: GTUBE from a stranger gets {@code 554 5.7.1 Gtube
 * pattern} at the end of DATA and nothing reaches Kafka; a clean message gets 250 and rspamd's headers in the
 * Maildir; with rspamd stopped, milter_default_action (tempfail) answers MAIL FROM with {@code 451 4.7.1 Service
 * unavailable - try again later}. The last test stops rspamd.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RspamdMilterTest {

    static final String GTUBE = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";
    private static Path dir;
    private static Stack stack;
    private static final String TAG = UUID.randomUUID().toString().substring(0, 8);

    @BeforeAll
    static void start() throws IOException {
        dir = Files.createTempDirectory(Path.of("/tmp"), "mxgate-rspamd-");
        dir.toFile().setReadable(true, false);
        dir.toFile().setExecutable(true, false);
        int port = Ports.free();
        Script.run("rspamd.sh", "start", dir.resolve("rspamd"), port);
        stack = Stack.start(Map.of("MXGATE_SMTPD_MILTERS", "inet:127.0.0.1:" + port));
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
        Script.run("rspamd.sh", "stop", dir.resolve("rspamd"));
    }

    @Test
    @Order(1)
    void gtubeFromAStrangerIsRejectedAtTheEndOfDataAndNeverStored() {
        String subject = TAG + " gtube";
        String reply = SmtpDialogue.sendMail(stack.smtpPort(), "s@remote.test", List.of("alice@example.test"),
                "Subject: " + subject + "\r\nFrom: <s@remote.test>\r\n\r\n" + GTUBE + "\r\n");
        assertEquals("554 5.7.1 Gtube pattern", reply);
        // the log line reaches the file just after the reply
        String line = "(?s).*: milter-reject: END-OF-MESSAGE from unknown\\[127\\.0\\.0\\.1\\]: 5\\.7\\.1 Gtube "
                + "pattern; from=<s@remote\\.test> to=<alice@example\\.test> proto=ESMTP helo=<client\\.test>.*";
        assertTrue(Stack.await(Duration.ofSeconds(5), () -> stack.log("smtp-ingress").matches(line)),
                stack.log("smtp-ingress"));
        assertFalse(stack.topic("mxgate.mailbox").stream().anyMatch(r -> r.contains(subject)));
        assertFalse(stack.topic("mxgate.incoming").stream().anyMatch(r -> r.contains(subject)));
    }

    @Test
    @Order(2)
    void aCleanMessageArrivesWithRspamdsHeaders() {
        String subject = TAG + " clean";
        String reply = SmtpDialogue.sendMail(stack.smtpPort(), "s@remote.test", List.of("alice@example.test"),
                "Subject: " + subject + "\r\nFrom: <s@remote.test>\r\nMessage-ID: <" + TAG + "@remote.test>\r\n\r\n"
                        + "Hello Alice, the minutes of Tuesday's meeting are below.\r\n");
        assertTrue(SmtpDialogueTest.QUEUED.matcher(reply).matches(), reply);
        assertTrue(Stack.await(Duration.ofSeconds(30), () -> !stack.messagesContaining("alice", subject).isEmpty()));
        String message = stack.messagesContaining("alice", subject).get(0);
        assertTrue(message.contains("X-Spamd-Result: default: False") && message.contains("X-Spam-Status: No"),
                message);
    }

    @Test
    @Order(3)
    void withRspamdStoppedTheDefaultActionDefersAtMailFrom() {
        Script.run("rspamd.sh", "stop", dir.resolve("rspamd"));
        try (SmtpDialogue d = SmtpDialogue.open(stack.smtpPort())) {
            d.send("EHLO client.test").expect("250 *");
            assertEquals("451 4.7.1 Service unavailable - try again later", d.send("MAIL FROM:<s@remote.test>").reply());
        }
        String line = "NOQUEUE: milter-reject: MAIL from unknown[127.0.0.1]: 451 4.7.1 Service unavailable - try again "
                + "later; from=<s@remote.test> proto=ESMTP helo=<client.test>";
        assertTrue(Stack.await(Duration.ofSeconds(5), () -> stack.log("smtp-ingress").contains(line)),
                stack.log("smtp-ingress"));
    }
}

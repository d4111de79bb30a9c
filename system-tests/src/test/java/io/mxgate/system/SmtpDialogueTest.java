package io.mxgate.system;

import io.mxgate.testkit.SmtpDialogue;
import io.mxgate.testkit.Stack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.UUID;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Scripted SMTP conversations with the running smtp-ingress, byte for byte, with Postfix's replies. */
@ExtendWith(StackExtension.class)
class SmtpDialogueTest {

    static final Pattern QUEUED = Pattern.compile("250 2\\.0\\.0 Ok: queued as [0-9A-Za-z]+");

    private final Stack stack;

    SmtpDialogueTest(Stack stack) {
        this.stack = stack;
    }

    private SmtpDialogue session() {
        SmtpDialogue d = SmtpDialogue.connect(stack.smtpPort());
        d.expect("220 mx.example.test ESMTP mxgate");
        d.send("EHLO client.test");
        return d;
    }

    @Test
    void ehloAnnouncesTheExtensions() {
        try (SmtpDialogue d = SmtpDialogue.connect(stack.smtpPort())) {
            d.expect("220 mx.example.test ESMTP mxgate");
            String ehlo = d.send("EHLO client.test").expect("250 8BITMIME");
            assertEquals("250-mx.example.test\n250-PIPELINING\n250-SIZE 10240000\n250-VRFY\n250-STARTTLS\n"
                    + "250-ENHANCEDSTATUSCODES\n250 8BITMIME", ehlo);
        }
    }

    @Test
    void strangersCannotRelay() {
        try (SmtpDialogue d = session()) {
            d.expect("250 *");
            d.send("MAIL FROM:<s@remote.test>").expect("250 2.1.0 Ok");
            d.send("RCPT TO:<x@outside.test>").expect("554 5.7.1 <x@outside.test>: Relay access denied");
            d.send("QUIT").expect("221 2.0.0 Bye");
        }
        assertTrue(Stack.await(Duration.ofSeconds(2), () -> stack.log("smtp-ingress").contains(
                "NOQUEUE: reject: RCPT from unknown[127.0.0.1]: 554 5.7.1 <x@outside.test>: Relay access denied; "
                        + "from=<s@remote.test> to=<x@outside.test> proto=ESMTP helo=<client.test>")));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "<x%outside.test@example.test>         | 554 5.7.1 <x%outside.test@example.test>: Relay access denied",
            "<outside.test!x@example.test>         | 554 5.7.1 <outside.test!x@example.test>: Relay access denied",
            "<\"x@outside.test\"@example.test>     | 554 5.7.1 <\"x@outside.test\"@example.test>: Relay access denied",
            "<@example.test:x@outside.test>        | 554 5.7.1 <x@outside.test>: Relay access denied",
            "<x@outside.test.>                     | 501 5.1.3 Bad recipient address syntax",
            "<x@example.test@outside.test>         | 501 5.1.3 Bad recipient address syntax",
            "<alice@EXAMPLE.TEST>                  | 250 2.1.5 Ok",
    })
    void relayTricksAreRefused(String path, String expected) {
        try (SmtpDialogue d = session()) {
            d.expect("250 *");
            d.send("MAIL FROM:<s@remote.test>").expect("250 2.1.0 Ok");
            d.send("RCPT TO:" + path).expect(expected);
        }
    }

    @Test
    void commandsOutOfSequenceGetPostfixReplies() {
        try (SmtpDialogue d = session()) {
            d.expect("250 *");
            d.send("RCPT TO:<alice@example.test>").expect("503 5.5.1 Error: need MAIL command");
            d.send("DATA").expect("503 5.5.1 Error: need RCPT command");
            d.send("MAIL FROM:<s@remote.test>").expect("250 2.1.0 Ok");
            d.send("MAIL FROM:<s@remote.test>").expect("503 5.5.1 Error: nested MAIL command");
            d.send("DATA").expect("554 5.5.1 Error: no valid recipients");
            d.send("VRFY alice@example.test").expect("252 2.0.0 *");
            d.send("FOO bar").expect("500 5.5.2 Error: command not recognized");
            d.send("MAIL FROM:<s@remote.test> XYZ=1").expect("503 5.5.1 Error: nested MAIL command");
            d.send("RSET").expect("250 2.0.0 Ok");
            d.send("MAIL FROM:<s@remote.test> XYZ=1").expect("555 5.5.4 Unsupported option: XYZ=1");
            d.send("MAIL FROM:<s@remote.test> SIZE=20000000").expect("552 5.3.4 Message size exceeds fixed limit");
            d.raw("NOOP\n").expect("250 2.0.0 Ok");
            d.send("QUIT").expect("221 2.0.0 Bye");
            d.expectClosed();
        }
    }

    @Test
    void pipelinedGroupIsAnsweredInOrder() {
        String tag = UUID.randomUUID().toString();
        try (SmtpDialogue d = session()) {
            d.expect("250 *");
            d.raw("MAIL FROM:<s@remote.test>\r\nRCPT TO:<alice@example.test>\r\nRCPT TO:<x@outside.test>\r\nDATA\r\n");
            d.expect("250 2.1.0 Ok");
            d.expect("250 2.1.5 Ok");
            d.expect("554 5.7.1 <x@outside.test>: Relay access denied");
            d.expect("354 *");
            d.raw("Subject: " + tag + "\r\n\r\nbody\r\n.\r\nQUIT\r\n");
            assertTrue(QUEUED.matcher(d.reply()).matches());
            d.expect("221 2.0.0 Bye");
        }
        assertTrue(Stack.await(Duration.ofSeconds(5), () -> stack.messagesContaining("alice", tag).size() == 1));
    }

    @Test
    void overlongCommandLineIsRefusedAndTheServerStaysUp() {
        try (SmtpDialogue d = session()) {
            d.expect("250 *");
            d.raw("NOOP " + "x".repeat(100 * 1024) + "\r\n");
            d.expect("500 5.5.2 Error: command line too long");
            d.expectClosed();
        }
        try (SmtpDialogue d = session()) {
            d.expect("250 *");
            d.send("QUIT").expect("221 2.0.0 Bye");
        }
    }

    @Test
    void messageOverTheSizeLimitGets552AndTheSessionGoesOn() {
        try (SmtpDialogue d = session()) {
            d.expect("250 *");
            d.send("MAIL FROM:<s@remote.test>").expect("250 2.1.0 Ok");
            d.send("RCPT TO:<alice@example.test>").expect("250 2.1.5 Ok");
            d.send("DATA").expect("354 *");
            String line = "y".repeat(998) + "\r\n";
            byte[] chunk = line.repeat(1000).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
            for (int i = 0; i < 11; i++) {
                d.raw(chunk);
            }
            d.send(".").expect("552 5.3.4 Message size exceeds fixed limit");
            d.send("NOOP").expect("250 2.0.0 Ok");
            d.send("MAIL FROM:<s@remote.test>").expect("250 2.1.0 Ok");
        }
    }

    @Test
    void recipientLimitIsEnforced() {
        try (SmtpDialogue d = session()) {
            d.expect("250 *");
            d.send("MAIL FROM:<s@remote.test>").expect("250 2.1.0 Ok");
            StringBuilder group = new StringBuilder();
            for (int i = 0; i < 1001; i++) {
                group.append("RCPT TO:<alice@example.test>\r\n");
            }
            d.raw(group.toString());
            for (int i = 0; i < 1000; i++) {
                d.expect("250 2.1.5 Ok");
            }
            d.expect("452 4.5.3 Error: too many recipients");
            d.send("RSET").expect("250 2.0.0 Ok");
        }
    }

    @Test
    void silentClientIsDisconnectedAfterSmtpdTimeout() {
        try (SmtpDialogue d = session()) {
            d.expect("250 *");
            d.timeout(Duration.ofSeconds(10));
            d.expect("421 4.4.2 mx.example.test Error: timeout exceeded");
            d.expectClosed();
        }
        assertTrue(Stack.await(Duration.ofSeconds(2),
                () -> stack.log("smtp-ingress").contains("timeout after EHLO from unknown[127.0.0.1]")));
    }

    @Test
    void bareLineFeedsNeverEndData() {
        String tag = UUID.randomUUID().toString();
        try (SmtpDialogue d = session()) {
            d.expect("250 *");
            d.send("MAIL FROM:<s@remote.test>").expect("250 2.1.0 Ok");
            d.send("RCPT TO:<alice@example.test>").expect("250 2.1.5 Ok");
            d.send("DATA").expect("354 *");
            d.raw("Subject: " + tag + "\r\n\r\nfirst\n.\nMAIL FROM:<evil@outside.test>\r\nRCPT TO:<bob@example.test>"
                    + "\r\n\r.\rDATA\r\n.\r\n");
            assertTrue(QUEUED.matcher(d.reply()).matches());
            d.send("QUIT").expect("221 2.0.0 Bye");
        }
        assertTrue(Stack.await(Duration.ofSeconds(5), () -> stack.messagesContaining("alice", tag).size() == 1));
        assertTrue(stack.messagesContaining("alice", tag).get(0).contains("MAIL FROM:<evil@outside.test>"),
                "the smuggled commands are message text");
        assertTrue(stack.messagesContaining("bob", tag).isEmpty());
    }
}

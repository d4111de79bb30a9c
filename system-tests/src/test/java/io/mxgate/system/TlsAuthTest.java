package io.mxgate.system;

import io.mxgate.testkit.SmtpDialogue;
import io.mxgate.testkit.Stack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** STARTTLS with the configured certificate, and SMTP AUTH checked by the real Dovecot auth service. */
@ExtendWith(StackExtension.class)
class TlsAuthTest {

    private final Stack stack;

    TlsAuthTest(Stack stack) {
        this.stack = stack;
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private SmtpDialogue secured() {
        SmtpDialogue d = SmtpDialogue.open(stack.smtpPort());
        d.send("EHLO client.test").expect("250 8BITMIME");
        d.startTls();
        String ehlo = d.send("EHLO client.test").expect("250 8BITMIME");
        assertTrue(ehlo.contains("250-AUTH PLAIN LOGIN") && !ehlo.contains("STARTTLS"), ehlo);
        return d;
    }

    @Test
    void noAuthBeforeTls() {
        try (SmtpDialogue d = SmtpDialogue.open(stack.smtpPort())) {
            String ehlo = d.send("EHLO client.test").expect("250 8BITMIME");
            assertTrue(!ehlo.contains("AUTH"), ehlo);
            d.send("AUTH PLAIN " + b64("\0alice@example.test\0demo")).expect("530 5.7.0 Must issue a STARTTLS command first");
        }
    }

    @Test
    void commandsPipelinedAfterStartTlsEndTheSession() {
        try (SmtpDialogue d = SmtpDialogue.open(stack.smtpPort())) {
            d.send("EHLO client.test").expect("250 8BITMIME");
            d.raw("STARTTLS\r\nMAIL FROM:<smuggled@outside.test>\r\n");
            d.expect("554 5.5.0 Error: SMTP protocol synchronization");
            d.expectClosed();
        }
        assertTrue(Stack.await(java.time.Duration.ofSeconds(2), () -> stack.log("smtp-ingress")
                .contains("improper command pipelining after STARTTLS from unknown[127.0.0.1]")));
    }

    @Test
    void authPlainWithDovecotThenRelayIsPermitted() {
        try (SmtpDialogue d = secured()) {
            d.send("AUTH PLAIN " + b64("\0alice@example.test\0wrong")).expect("535 5.7.8 Error: authentication failed: *");
            d.send("AUTH PLAIN " + b64("\0alice@example.test\0demo")).expect("235 2.7.0 Authentication successful");
            d.send("AUTH PLAIN " + b64("\0alice@example.test\0demo")).expect("503 5.5.1 Error: already authenticated");
            d.send("MAIL FROM:<alice@example.test>").expect("250 2.1.0 Ok");
            d.send("RCPT TO:<friend@outside.test>").expect("250 2.1.5 Ok");
        }
    }

    @Test
    void authLoginDialogue() {
        try (SmtpDialogue d = secured()) {
            d.send("AUTH LOGIN").expect("334 VXNlcm5hbWU6");
            d.send(b64("bob@example.test")).expect("334 UGFzc3dvcmQ6");
            d.send(b64("demo")).expect("235 2.7.0 Authentication successful");
        }
        try (SmtpDialogue d = secured()) {
            d.send("AUTH LOGIN").expect("334 VXNlcm5hbWU6");
            d.send("*").expect("501 5.7.0 Authentication aborted");
            d.send("AUTH CRAM-MD5").expect("535 5.7.8 *");
            d.send("MAIL FROM:<s@remote.test>").expect("250 2.1.0 Ok");
            assertEquals("554 5.7.1 <friend@outside.test>: Relay access denied",
                    d.send("RCPT TO:<friend@outside.test>").reply());
        }
    }
}

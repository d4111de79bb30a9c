package io.mxgate.system;

import io.mxgate.testkit.Imap;
import io.mxgate.testkit.SmtpDialogue;
import io.mxgate.testkit.Stack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A message from an SMTP client through Kafka into Dovecot mailboxes, checked where a user would look. */
@ExtendWith(StackExtension.class)
class EndToEndTest {

    private final Stack stack;

    EndToEndTest(Stack stack) {
        this.stack = stack;
    }

    @Test
    void messageToAliceReachesHerInboxAndIsLoggedAsSent() {
        String tag = UUID.randomUUID().toString();
        int before = Imap.inboxCount(stack.imapPort(), "alice@example.test", "demo");
        String reply = SmtpDialogue.sendMail(stack.smtpPort(), "sender@remote.test", List.of("alice@example.test"),
                "Subject: " + tag + "\r\n\r\nhello\r\n");
        assertTrue(SmtpDialogueTest.QUEUED.matcher(reply).matches(), reply);
        String queueId = reply.substring(reply.lastIndexOf(' ') + 1);

        assertTrue(Stack.await(Duration.ofSeconds(5), () -> stack.messagesContaining("alice", tag).size() == 1),
                "delivered to alice's Maildir within 5 s");
        assertEquals(before + 1, Imap.inboxCount(stack.imapPort(), "alice@example.test", "demo"));
        String message = stack.messagesContaining("alice", tag).get(0);
        assertTrue(message.contains("by mx.example.test (mxgate) with ESMTP id " + queueId), message);
        assertTrue(Stack.await(Duration.ofSeconds(2), () -> Pattern.compile(Pattern.quote(queueId)
                        + ": to=<alice@example.test>, relay=127\\.0\\.0\\.1\\[127\\.0\\.0\\.1\\]:" + stack.lmtpPort()
                        + ", delay=[0-9.]+, delays=[0-9.]+/[0-9.]+/[0-9.]+/[0-9.]+, dsn=2\\.0\\.0, status=sent \\(250 2\\.0\\.0 .*\\)")
                .matcher(stack.log("lmtp-delivery")).find()), stack.log("lmtp-delivery"));
        assertTrue(stack.log("smtp-ingress").contains(queueId + ": from=<sender@remote.test>, size="));
    }

    @Test
    void twoRecipientsAreDeliveredInOneLmtpTransaction() {
        String tag = UUID.randomUUID().toString();
        String reply = SmtpDialogue.sendMail(stack.smtpPort(), "sender@remote.test",
                List.of("alice@example.test", "bob@example.test"), "Subject: " + tag + "\r\n\r\nto both\r\n");
        assertTrue(SmtpDialogueTest.QUEUED.matcher(reply).matches(), reply);
        assertTrue(Stack.await(Duration.ofSeconds(5), () -> stack.messagesContaining("alice", tag).size() == 1
                && stack.messagesContaining("bob", tag).size() == 1));
        // Dovecot names the recipients of one LMTP transaction by one id (":T2" marks a later transaction on the session), the second recipient with ":R2".
        // Its log process writes a moment after the Maildir file appears, so wait for the lines too.
        Pattern sameTransaction = Pattern.compile("lmtp\\(alice@example\\.test\\)<\\d+><([^>]+)>: Info: [^\\n]*"
                + "saved mail to INBOX\\n[^\\n]*lmtp\\(bob@example\\.test\\)<\\d+><\\1:R2>: Info: [^\\n]*saved mail to INBOX");
        assertTrue(Stack.await(Duration.ofSeconds(5), () -> sameTransaction.matcher(stack.dovecotLog()).find()),
                stack.dovecotLog());
    }

    @Test
    void messageAtTheSizeLimitIsAcceptedAndDelivered() {
        String tag = UUID.randomUUID().toString();
        // 10,240,000 bytes is message_size_limit; the Received header (about 250 bytes) counts too.
        StringBuilder body = new StringBuilder("Subject: " + tag + "\r\n\r\n");
        String line = "x".repeat(998) + "\r\n";
        while (body.length() + line.length() < 10_240_000 - 1_000) {
            body.append(line);
        }
        String reply = SmtpDialogue.sendMail(stack.smtpPort(), "big@remote.test", List.of("bob@example.test"),
                body.toString());
        assertTrue(SmtpDialogueTest.QUEUED.matcher(reply).matches(), reply);
        assertTrue(Stack.await(Duration.ofSeconds(20), () -> stack.messagesContaining("bob", tag).size() == 1),
                "a message near message_size_limit travels through Kafka into the Maildir");
        assertTrue(stack.messagesContaining("bob", tag).get(0).length() > 10_200_000);
    }
}

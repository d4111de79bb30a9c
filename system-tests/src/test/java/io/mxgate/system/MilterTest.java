package io.mxgate.system;

import io.mxgate.testkit.FakeMilter;
import io.mxgate.testkit.SmtpDialogue;
import io.mxgate.testkit.Stack;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
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
 * smtpd_milters against the test kit's fake milter, which answers by recipient: per-recipient and per-message
 * replies with Postfix's texts and log lines, the changes a filter asks for, and the faults (a filter that hangs,
 * answers garbage or closes gets milter_default_action, tempfail: never a hang, never an accept). The client is a
 * stranger (127.0.0.1 is not in mynetworks here).
 */
class MilterTest {

    private static final String TEMPFAIL = "451 4.7.1 Service unavailable - try again later";
    private static FakeMilter milter;
    private static Stack stack;
    private static final String TAG = UUID.randomUUID().toString().substring(0, 8);

    @BeforeAll
    static void start() {
        milter = new FakeMilter();
        Map<String, String> settings = new HashMap<>();
        settings.put("MXGATE_SMTPD_MILTERS", "inet:127.0.0.1:" + milter.port());
        settings.put("MXGATE_MILTER_COMMAND_TIMEOUT", "2s");
        settings.put("MXGATE_MILTER_CONTENT_TIMEOUT", "2s");
        stack = Stack.start(settings);
        stack.addMailboxes("alice", "bob", "hang", "garbage", "close", "reject", "tempfail", "replycode", "discard",
                "quarantine", "addrcpt", "delrcpt", "body", "rcpt-reject", "rcpt-tempfail", "rcpt-replycode",
                "rcpt-hang");
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
        if (milter != null) {
            milter.close();
        }
    }

    /** One transaction to one recipient; the reply to the final dot. */
    private static String send(String recipient, String subject, String extraHeaders) {
        try (SmtpDialogue d = SmtpDialogue.open(stack.smtpPort())) {
            d.send("EHLO client.test").expect("250 *");
            d.send("MAIL FROM:<s@remote.test>").expect("250 2.1.0 Ok");
            d.send("RCPT TO:<" + recipient + ">").expect("250 2.1.5 Ok");
            d.send("DATA").expect("354 *");
            d.raw("Subject: " + subject + "\r\n" + extraHeaders + "From: <s@remote.test>\r\n\r\nbody\r\n").send(".");
            return d.reply();
        }
    }

    private static boolean inKafka(String text) {
        return stack.topic("mxgate.mailbox").stream().anyMatch(r -> r.contains(text))
                || stack.topic("mxgate.incoming").stream().anyMatch(r -> r.contains(text));
    }

    /** smtp-ingress's log, once it holds {@code text} (log lines reach the file a moment after the reply). */
    private static String logged(String text) {
        Stack.await(Duration.ofSeconds(5), () -> stack.log("smtp-ingress").contains(text));
        return stack.log("smtp-ingress");
    }

    private static String queueId(String reply) {
        return reply.substring(reply.lastIndexOf(' ') + 1);
    }

    @Test
    void aCleanMessageGetsTheFiltersChangesBeforeKafka() {
        String subject = TAG + " clean";
        String reply = send("alice@example.test", subject, "X-Remove-Me: yes\r\n");
        assertTrue(SmtpDialogueTest.QUEUED.matcher(reply).matches(), reply);
        assertTrue(Stack.await(Duration.ofSeconds(30), () -> !stack.messagesContaining("alice", subject).isEmpty()));
        String message = stack.messagesContaining("alice", subject).get(0);
        assertTrue(message.contains("X-Fake-Milter: i=" + queueId(reply) + " client=unknown [127.0.0.1]"
                + " rcpt=<alice@example.test> headers=3"), message);
        assertFalse(message.contains("X-Remove-Me"), message);
        int top = message.indexOf("X-Fake-Top: top");
        assertTrue(top >= 0 && top < message.indexOf("Received: from client.test"), "inserted at index 0, above our "
                + "Received header: " + message);
        // the filter never saw our own Received header, and heard of every step with Postfix's default macros
        List<String> events = milter.events();
        assertFalse(events.stream().anyMatch(e -> e.startsWith("L Received: from client.test")), events.toString());
        assertTrue(events.contains("DC j=mx.example.test") && events.contains("DC {daemon_addr}=127.0.0.1")
                && events.contains("DC _=unknown [127.0.0.1]") && events.contains("H client.test")
                && events.contains("M <s@remote.test>") && events.contains("R <alice@example.test>")
                && events.contains("L Subject: " + subject) && events.contains("DE i=" + queueId(reply)),
                events.toString());
    }

    @Test
    void aRejectAtConnectOrHeloAnswersMailFromForTheRestOfTheSession() {
        try (SmtpDialogue d = SmtpDialogue.connect(stack.smtpPort(), "127.0.0.2")) {
            assertEquals("554 mx.example.test ESMTP not accepting connections", d.reply());
            d.send("EHLO client.test").expect("250 *");
            assertEquals("550 5.7.1 Command rejected", d.send("MAIL FROM:<s@remote.test>").reply());
            d.send("RSET").expect("250 *");
            assertEquals("550 5.7.1 Command rejected", d.send("MAIL FROM:<s@remote.test>").reply());
        }
        try (SmtpDialogue d = SmtpDialogue.open(stack.smtpPort())) {
            d.send("EHLO helo-tempfail.test").expect("250 *");
            assertEquals(TEMPFAIL, d.send("MAIL FROM:<s@remote.test>").reply());
        }
        String line = "NOQUEUE: milter-reject: CONNECT from unknown[127.0.0.2]: 550 5.7.1 Command rejected; proto=SMTP";
        assertTrue(logged(line).contains(line));
    }

    @Test
    void perRecipientRepliesHavePostfixsTextsAndLogLines() {
        try (SmtpDialogue d = SmtpDialogue.open(stack.smtpPort())) {
            d.send("EHLO client.test").expect("250 *");
            d.send("MAIL FROM:<s@remote.test>").expect("250 2.1.0 Ok");
            assertEquals("550 5.7.1 Command rejected", d.send("RCPT TO:<rcpt-reject@example.test>").reply());
            assertEquals(TEMPFAIL, d.send("RCPT TO:<rcpt-tempfail@example.test>").reply());
            assertEquals("550 5.7.1 Recipient refused by the fake milter",
                    d.send("RCPT TO:<rcpt-replycode@example.test>").reply());
            d.send("RCPT TO:<alice@example.test>").expect("250 2.1.5 Ok");
            d.send("DATA").expect("354 *");
            d.raw("Subject: " + TAG + " one of four\r\n\r\nbody\r\n").send(".");
            assertTrue(SmtpDialogueTest.QUEUED.matcher(d.reply()).matches());
        }
        String rejected = "NOQUEUE: milter-reject: RCPT from unknown[127.0.0.1]: 550 5.7.1 Command rejected; "
                + "from=<s@remote.test> to=<rcpt-reject@example.test> proto=ESMTP helo=<client.test>";
        assertTrue(logged(rejected).contains(rejected));
        String deferred = "milter-reject: RCPT from unknown[127.0.0.1]: " + TEMPFAIL + "; from=<s@remote.test> "
                + "to=<rcpt-tempfail@example.test> proto=ESMTP helo=<client.test>";
        assertTrue(logged(deferred).contains(deferred));
    }

    @Test
    void perMessageRepliesKeepTheMessageOutOfKafka() {
        String reply = send("replycode@example.test", TAG + " replycode", "");
        assertEquals("554 5.7.1 Rejected by the fake milter", reply);
        assertEquals("550 5.7.1 Command rejected", send("reject@example.test", TAG + " reject", ""));
        assertEquals(TEMPFAIL, send("tempfail@example.test", TAG + " tempfail", ""));
        String log = logged("Rejected by the fake milter; from=<s@remote.test> to=<replycode@example.test>");
        assertTrue(log.matches("(?s).*: milter-reject: END-OF-MESSAGE from unknown\\[127\\.0\\.0\\.1\\]: 5\\.7\\.1 "
                + "Rejected by the fake milter; from=<s@remote\\.test> to=<replycode@example\\.test> proto=ESMTP "
                + "helo=<client\\.test>.*"), log);
        for (String mode : List.of("replycode", "reject", "tempfail")) {
            assertFalse(inKafka(TAG + " " + mode), mode);
        }
    }

    @Test
    void aBrokenFilterGetsTheDefaultActionNeverAnAccept() {
        for (String mode : List.of("hang", "garbage", "close")) {
            assertEquals(TEMPFAIL, send(mode + "@example.test", TAG + " " + mode, ""), mode);
        }
        try (SmtpDialogue d = SmtpDialogue.open(stack.smtpPort())) {
            d.send("EHLO client.test").expect("250 *");
            d.send("MAIL FROM:<s@remote.test>").expect("250 2.1.0 Ok");
            assertEquals(TEMPFAIL, d.send("RCPT TO:<rcpt-hang@example.test>").reply());
            // the filter is gone for this session: its default action answers what follows
            assertEquals(TEMPFAIL, d.send("RCPT TO:<alice@example.test>").reply());
            d.send("RSET").expect("250 *");
            assertEquals(TEMPFAIL, d.send("MAIL FROM:<s@remote.test>").reply());
        }
        String log = logged("can't read SMFIC_RCPT reply packet header");
        assertTrue(log.contains("warning: milter inet:127.0.0.1:" + milter.port() + ": can't read SMFIC_BODYEOB reply "
                + "packet header: Connection timed out"), log);
        assertTrue(log.contains("warning: milter inet:127.0.0.1:" + milter.port() + ": can't read SMFIC_RCPT reply "
                + "packet header: Connection timed out"), log);
        for (String mode : List.of("hang", "garbage", "close")) {
            assertFalse(inKafka(TAG + " " + mode), mode);
        }
    }

    @Test
    void answersAreCountedPerFilterAndAction() throws Exception {
        assertEquals("550 5.7.1 Command rejected", send("reject@example.test", TAG + " counted", ""));
        String metrics = OutageTest.get(stack.httpPort("smtp-ingress"), "/q/metrics");
        assertTrue(metrics.contains("mxgate_milter_actions_total{action=\"reject\",milter=\"inet:127.0.0.1:"
                + milter.port() + "\""), metrics);
        assertTrue(metrics.contains("mxgate_smtpd_rejects_total{code=\"550\",reason=\"milter\""), metrics);
    }

    @Test
    void discardSays250AndStoresNothing() {
        String reply = send("discard@example.test", TAG + " discard", "");
        assertTrue(SmtpDialogueTest.QUEUED.matcher(reply).matches(), reply);
        String line = queueId(reply) + ": milter-discard: END-OF-MESSAGE from unknown[127.0.0.1]: milter triggers "
                + "DISCARD action;";
        assertTrue(logged(line).contains(line));
        assertFalse(inKafka(TAG + " discard"));
    }

    @Test
    void aQuarantineIsDeferredForLackOfAHoldQueue() {
        assertEquals(TEMPFAIL, send("quarantine@example.test", TAG + " quarantine", ""));
        String line = ": milter-hold: END-OF-MESSAGE from unknown[127.0.0.1]: fake quarantine;";
        assertTrue(logged(line).contains(line));
        assertFalse(inKafka(TAG + " quarantine"));
    }

    @Test
    void anAddedRecipientIsCheckedAsIfTheClientHadSentItNeverAnOpenRelay() {
        String subject = TAG + " addrcpt";
        String reply = send("addrcpt@example.test", subject, "");
        assertTrue(SmtpDialogueTest.QUEUED.matcher(reply).matches(), reply);
        assertTrue(Stack.await(Duration.ofSeconds(30), () -> !stack.messagesContaining("bob", subject).isEmpty()));
        assertTrue(Stack.await(Duration.ofSeconds(10), () -> !stack.messagesContaining("addrcpt", subject).isEmpty()));
        String line = queueId(reply) + ": milter inet:127.0.0.1:" + milter.port() + ": recipient "
                + "<victim@outside.test> not added: 554 5.7.1 <victim@outside.test>: Relay access denied";
        assertTrue(logged(line).contains(line), stack.log("smtp-ingress"));
        assertFalse(stack.topic("mxgate.incoming").stream().anyMatch(r -> r.contains("victim@outside.test")));
        assertFalse(stack.topic("mxgate.mailbox").stream().anyMatch(r -> r.contains("victim@outside.test")));
    }

    @Test
    void deletedRecipientsSenderAndBodyChanges() {
        String deleted = TAG + " delrcpt";
        assertTrue(SmtpDialogueTest.QUEUED.matcher(send("delrcpt@example.test", deleted, "")).matches());
        String body = TAG + " body";
        assertTrue(SmtpDialogueTest.QUEUED.matcher(send("body@example.test", body, "")).matches());
        assertTrue(Stack.await(Duration.ofSeconds(30), () -> !stack.messagesContaining("bob", deleted).isEmpty()
                && !stack.messagesContaining("body", body).isEmpty()));
        assertTrue(stack.messagesContaining("delrcpt", deleted).isEmpty(), "the filter deleted this recipient");
        String replaced = stack.messagesContaining("body", body).get(0);
        assertTrue(replaced.contains("replaced body") && !replaced.matches("(?s).*\\nbody\\r?\\n.*"), replaced);
    }
}

package io.mxgate.system;

import io.mxgate.testkit.DsnCheck;
import io.mxgate.testkit.Ports;
import io.mxgate.testkit.Sink;
import io.mxgate.testkit.Stack;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

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
 * Issue 6, acceptance 3, with test-short times (retries every 1-2 s, delay_warning_time 3 s, maximal_queue_lifetime
 * 10 s): a recipient that stays deferred gets one delay DSN and then one bounce, both RFC 3464 reports that Python's
 * email package parses as such; a local sender's bounce is delivered into its Dovecot mailbox; mail from the null
 * sender expires without any DSN; a 5xx (from a real server, or an error: route) bounces at once. DSNs to remote
 * senders leave through the relayhost, a smtp-sink.
 */
class QueueLifetimeTest {

    private static Path dir;
    private static Sink relayhost;
    private static Sink rejecting;
    private static Stack stack;

    @BeforeAll
    static void start() throws IOException {
        dir = Files.createTempDirectory(Path.of("/tmp"), "mxgate-lifetime-");
        relayhost = Sink.start(dir.resolve("relayhost"), "127.0.0.1", Ports.free());
        rejecting = Sink.start(dir.resolve("rejecting"), "127.0.0.1", Ports.free(), "-f", "RCPT");
        int dead = Ports.free();
        Files.writeString(dir.resolve("transport"), String.join("\n",
                "nowhere.test     smtp:[127.0.0.1]:" + dead,
                "hardfail.test    smtp:" + rejecting.nextHop(),
                "rejected.test    error:5.1.1 no such user here", ""));
        stack = Stack.start(Map.ofEntries(
                Map.entry("MXGATE_MYNETWORKS", "127.0.0.0/8"),
                Map.entry("MXGATE_TRANSPORT_MAPS", "hash:" + dir.resolve("transport")),
                Map.entry("MXGATE_RELAYHOST", relayhost.nextHop()),
                Map.entry("MXGATE_MINIMAL_BACKOFF_TIME", "1s"),
                Map.entry("MXGATE_MAXIMAL_BACKOFF_TIME", "2s"),
                Map.entry("MXGATE_QUEUE_RUN_DELAY", "1s"),
                Map.entry("MXGATE_DELAY_WARNING_TIME", "3s"),
                Map.entry("MXGATE_MAXIMAL_QUEUE_LIFETIME", "10s"),
                Map.entry("MXGATE_BOUNCE_QUEUE_LIFETIME", "10s"),
                Map.entry("MXGATE_QUEUE_LEASE_TIME", "6s"),
                Map.entry("MXGATE_SMTP_HELO_TIMEOUT", "5s"),
                Map.entry("MXGATE_SMTP_MAIL_TIMEOUT", "5s"),
                Map.entry("MXGATE_SMTP_RCPT_TIMEOUT", "5s"),
                Map.entry("MXGATE_SMTP_RSET_TIMEOUT", "5s"),
                Map.entry("MXGATE_SMTP_DATA_INIT_TIMEOUT", "5s"),
                Map.entry("MXGATE_SMTP_DATA_DONE_TIMEOUT", "5s")));
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {stack, relayhost, rejecting}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // keep closing the others
            }
        }
        QueueTool.delete(dir);
    }

    private static List<String> dsns(String subject, String tag) {
        return relayhost.messages().stream().filter(m -> m.contains("Subject: " + subject + "\n")
                && m.contains("Subject: " + tag + "\n")).toList();
    }

    @Test
    void deferredMailGetsOneDelayWarningThenOneBounceAndTheNullSenderNone() {
        String remote = UUID.randomUUID().toString();
        String local = UUID.randomUUID().toString();
        String nullSender = UUID.randomUUID().toString();
        String remoteId = QueueTool.queueId(RelayRoutingTest.send(stack, "s@remote.test", "x@nowhere.test", remote));
        String localId = QueueTool.queueId(RelayRoutingTest.send(stack, "alice@example.test", "y@nowhere.test", local));
        String nullId = QueueTool.queueId(RelayRoutingTest.send(stack, "", "z@nowhere.test", nullSender));

        assertTrue(Stack.await(Duration.ofSeconds(40), () -> dsns("Undelivered Mail Returned to Sender", remote).size() == 1
                && !stack.messagesContaining("alice", "Subject: Undelivered Mail Returned to Sender").isEmpty()
                && stack.log("queue-worker").contains(nullId + ": undeliverable bounce discarded")),
                stack.log("queue-worker"));

        // The delay warning, once, before the bounce.
        List<String> delays = dsns("Delayed Mail (still being retried)", remote);
        assertEquals(1, delays.size(), "one delay DSN");
        assertTrue(delays.get(0).contains("X-Mail-Args: <>"), "DSNs come from the null sender");
        Map<String, String> delay = DsnCheck.parse(delays.get(0));
        assertReport(delay, "s@remote.test", remoteId, remote);
        assertEquals("delayed", delay.get("recipient.0.action"), delay.toString());
        assertEquals("4.4.1", delay.get("recipient.0.status"), delay.toString());
        assertTrue(delay.containsKey("recipient.0.will-retry-until"), delay.toString());

        // Then the bounce, once.
        Map<String, String> bounce = DsnCheck.parse(dsns("Undelivered Mail Returned to Sender", remote).get(0));
        assertReport(bounce, "s@remote.test", remoteId, remote);
        assertEquals("failed", bounce.get("recipient.0.action"), bounce.toString());
        assertEquals("4.4.1", bounce.get("recipient.0.status"), bounce.toString());
        assertTrue(bounce.get("recipient.0.diagnostic-code").contains("Connection refused"), bounce.toString());
        RelayRoutingTest.assertLogged(stack, "queue-worker", remoteId + ": from=<s@remote.test>, status=expired, "
                + "returned to sender");
        RelayRoutingTest.assertLogged(stack, "queue-worker", remoteId + ": sender non-delivery notification: ");

        // A local sender's bounce, delivered by Dovecot into its mailbox, parses the same way.
        String inMailbox = stack.messagesContaining("alice", "Subject: Undelivered Mail Returned to Sender").stream()
                .filter(m -> m.contains(local)).findFirst().orElseThrow();
        Map<String, String> localBounce = DsnCheck.parse(inMailbox);
        assertReport(localBounce, "alice@example.test", localId, local);
        assertEquals("rfc822; y@nowhere.test", localBounce.get("recipient.0.final-recipient"), localBounce.toString());

        // Mail from <> expires without a DSN: nothing is ever sent to the null sender.
        String log = stack.log("queue-worker");
        assertFalse(log.contains(nullId + ": sender non-delivery notification"), log);
        assertFalse(log.contains(nullId + ": sender delay notification"), log);
        assertTrue(relayhost.messagesContaining(nullSender).isEmpty(), "no DSN for the null sender's mail");
        assertTrue(Stack.await(Duration.ofSeconds(10), () -> QueueTool.messages(stack) == 0), QueueTool.json(stack));
    }

    @Test
    void permanentFailuresBounceAtOnce() {
        String fromServer = UUID.randomUUID().toString();
        String fromRoute = UUID.randomUUID().toString();
        RelayRoutingTest.send(stack, "s@remote.test", "h@hardfail.test", fromServer);
        RelayRoutingTest.send(stack, "s@remote.test", "r@rejected.test", fromRoute);
        assertTrue(Stack.await(Duration.ofSeconds(30),
                () -> dsns("Undelivered Mail Returned to Sender", fromServer).size() == 1
                        && dsns("Undelivered Mail Returned to Sender", fromRoute).size() == 1), stack.log("queue-worker"));

        Map<String, String> server = DsnCheck.parse(dsns("Undelivered Mail Returned to Sender", fromServer).get(0));
        assertEquals("failed", server.get("recipient.0.action"), server.toString());
        assertEquals("5.3.0", server.get("recipient.0.status"), server.toString());
        assertEquals("dns; 127.0.0.1", server.get("recipient.0.remote-mta"), server.toString());
        assertEquals("smtp; 500 5.3.0 Error: command failed", server.get("recipient.0.diagnostic-code"),
                server.toString());

        Map<String, String> route = DsnCheck.parse(dsns("Undelivered Mail Returned to Sender", fromRoute).get(0));
        assertEquals("5.1.1", route.get("recipient.0.status"), route.toString());
        assertEquals("X-Postfix; no such user here", route.get("recipient.0.diagnostic-code"), route.toString());
        assertEquals(0, dsns("Delayed Mail (still being retried)", fromServer).size());
    }

    private static void assertReport(Map<String, String> dsn, String to, String queueId, String tag) {
        assertEquals("multipart/report", dsn.get("type"), dsn.toString());
        assertEquals("delivery-status", dsn.get("report-type"), dsn.toString());
        assertEquals("text/plain,message/delivery-status,text/rfc822-headers", dsn.get("parts"), dsn.toString());
        assertEquals("", dsn.get("defects"), dsn.toString());
        assertEquals(to, dsn.get("to"), dsn.toString());
        assertEquals("auto-replied", dsn.get("auto-submitted"), dsn.toString());
        assertEquals("dns; mx.example.test", dsn.get("message.reporting-mta"), dsn.toString());
        assertEquals(queueId, dsn.get("message.x-postfix-queue-id"), dsn.toString());
        assertEquals(tag, dsn.get("returned.subject"), dsn.toString());
    }

}

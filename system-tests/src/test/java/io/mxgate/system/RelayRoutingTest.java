package io.mxgate.system;

import io.mxgate.core.address.MailAddress;
import io.mxgate.core.envelope.Envelope;
import io.mxgate.core.envelope.QueueId;
import io.mxgate.core.kafka.QueueRecords;
import io.mxgate.testkit.DnsServer;
import io.mxgate.testkit.Ports;
import io.mxgate.testkit.Sink;
import io.mxgate.testkit.SmtpDialogue;
import io.mxgate.testkit.Stack;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 6, acceptance 1: routing as Postfix's trivial-rewrite and smtp(8), end to end with real peers. A
 * transport_maps file in Postfix's format sends fax.example.test to a smtp-sink at {@code [127.0.0.1]:port}; the
 * relay domain mxrelay.test is delivered by MX lookup through a private dnsmasq (its best MX is down, so the next
 * one takes the mail); everything else goes to the relayhost, and to smtp_fallback_relay while the relayhost is
 * down. Tests run in order: the last one stops the relayhost.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RelayRoutingTest {

    private static Path dir;
    private static DnsServer dns;
    private static Sink fax;
    private static Sink mx2;
    private static Sink relayhost;
    private static Sink fallback;
    private static Stack stack;
    private static int mxPort;

    @BeforeAll
    static void start() throws IOException {
        dir = Files.createTempDirectory(Path.of("/tmp"), "mxgate-relay-");
        int faxPort = Ports.free();
        mxPort = Ports.free();
        fax = Sink.start(dir.resolve("fax"), "127.0.0.1", faxPort);
        mx2 = Sink.start(dir.resolve("mx2"), "127.0.0.42", mxPort);
        relayhost = Sink.start(dir.resolve("relayhost"), "127.0.0.1", Ports.free());
        fallback = Sink.start(dir.resolve("fallback"), "127.0.0.1", Ports.free());
        dns = DnsServer.start(dir.resolve("dns"), List.of(
                "mx-host=mxrelay.test,mx1.mxrelay.test,10",
                "mx-host=mxrelay.test,mx2.mxrelay.test,20",
                "host-record=mx1.mxrelay.test,127.0.0.41",
                "host-record=mx2.mxrelay.test,127.0.0.42"));
        // The seed's transport_maps file, as an admin writes it for Postfix. With relayhost set, Postfix sends
        // relay domains to the relayhost too; "relay:" without a next hop resets it to the recipient domain.
        Files.writeString(dir.resolve("transport"), "# transport(5)\nfax.example.test   smtp:[127.0.0.1]:"
                + faxPort + "\nmxrelay.test       relay:\n");
        Files.writeString(dir.resolve("virtual"), "# virtual(5)\ninfo@alias.test   pages@fax.example.test, "
                + "bob@example.test\n");
        stack = Stack.start(Map.of(
                "MXGATE_VIRTUAL_ALIAS_DOMAINS", "alias.test",
                "MXGATE_VIRTUAL_ALIAS_MAPS", "hash:" + dir.resolve("virtual"),
                "MXGATE_MYNETWORKS", "127.0.0.1/32",  // the routing tests relay as a trusted client; STRANGER does not
                "MXGATE_RELAY_DOMAINS", "mxrelay.test",
                "MXGATE_TRANSPORT_MAPS", "hash:" + dir.resolve("transport"),
                "MXGATE_RELAYHOST", relayhost.nextHop(),
                "MXGATE_SMTP_FALLBACK_RELAY", fallback.nextHop(),
                "MXGATE_SMTP_TCP_PORT", Integer.toString(mxPort),
                "MXGATE_DNS_RESOLVER", dns.resolver(),
                "MXGATE_SMTP_CONNECT_TIMEOUT", "5s"));
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {stack, dns, fax, mx2, relayhost, fallback}) {
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

    /** A loopback address outside mynetworks: a client that may only send to our domains, and is verified. */
    static final String STRANGER = "127.0.0.2";

    /** A RCPT's reply from {@code source}, asked again while the verifier answers "in progress" (a first contact). */
    static String rcptPastInProgress(String source, String recipient) {
        return SmtpDialogue.rcptPastInProgress(stack.smtpPort(), source, recipient);
    }

    static String send(Stack stack, String from, String to, String tag) {
        String reply = SmtpDialogue.sendMail(stack.smtpPort(), from, List.of(to),
                "Subject: " + tag + "\r\nMessage-Id: <" + tag + "@client.test>\r\n\r\nhello " + tag + "\r\n");
        assertTrue(SmtpDialogueTest.QUEUED.matcher(reply).matches(), reply);
        return reply;
    }

    /** Log lines are written asynchronously: wait for one. */
    static void assertLogged(Stack stack, String service, String text) {
        assertTrue(Stack.await(Duration.ofSeconds(10), () -> stack.log(service).contains(text)),
                "no \"" + text + "\" in\n" + stack.log(service));
    }

    private static void assertLogged(String text) {
        assertLogged(stack, "queue-worker", text);
    }

    @Test
    @Order(1)
    void transportMapsSendsFaxDomainToItsSink() {
        String tag = UUID.randomUUID().toString();
        send(stack, "s@remote.test", "pages@fax.example.test", tag);
        assertTrue(Stack.await(Duration.ofSeconds(30), () -> fax.deliveries("pages@fax.example.test", tag) == 1),
                stack.log("queue-worker"));
        assertLogged("to=<pages@fax.example.test>, relay=127.0.0.1[127.0.0.1]:" + fax.port() + ", delay=");
        assertTrue(relayhost.messagesContaining(tag).isEmpty() && fallback.messagesContaining(tag).isEmpty());
    }

    @Test
    @Order(2)
    void relayDomainGoesToTheNextMxWhenTheBestIsDown() {
        String tag = UUID.randomUUID().toString();
        send(stack, "s@remote.test", "bob@mxrelay.test", tag);
        assertTrue(Stack.await(Duration.ofSeconds(30), () -> mx2.deliveries("bob@mxrelay.test", tag) == 1),
                stack.log("queue-worker"));
        assertLogged("to=<bob@mxrelay.test>, relay=mx2.mxrelay.test[127.0.0.42]:" + mxPort + ", delay=");
        assertTrue(stack.log("queue-worker").contains("status=sent (250 2.0.0 Ok)"));
        assertTrue(relayhost.messagesContaining(tag).isEmpty(), "the relay domain did not go to the relayhost");
    }

    @Test
    @Order(3)
    void everythingElseGoesToTheRelayhost() {
        String tag = UUID.randomUUID().toString();
        send(stack, "s@remote.test", "carol@elsewhere.test", tag);
        assertTrue(Stack.await(Duration.ofSeconds(30), () -> relayhost.deliveries("carol@elsewhere.test", tag) == 1),
                stack.log("queue-worker"));
        assertTrue(fallback.messagesContaining(tag).isEmpty());
    }

    @Test
    @Order(4)
    void virtualAliasesAreRewrittenAndRoutedLikeAnyRecipient() {
        String tag = UUID.randomUUID().toString();
        send(stack, "s@remote.test", "info@alias.test", tag);
        // one alias, two routes: transport_maps to the fax sink (queue-worker), virtual_transport (LMTP) to Dovecot
        // (lmtp-delivery: smtp-ingress expanded the alias and chose each target's consumer, ADR 0009)
        assertTrue(Stack.await(Duration.ofSeconds(30), () -> fax.deliveries("pages@fax.example.test", tag) == 1
                && stack.messagesContaining("bob", tag).size() == 1), stack.log("queue-worker"));
        assertLogged(stack, "lmtp-delivery", "to=<bob@example.test>, orig_to=<info@alias.test>, relay=127.0.0.1[127.0.0.1]:"
                + stack.lmtpPort());

        // a stranger takes the same path, after verification: an alias of several recipients is deliverable
        // without a probe (as cleanup answers verify(8)); an unknown alias-domain address is refused, by the
        // verifier's 450 first, as in the reference Postfix, and by smtpd_reject_unlisted_recipient (550) for a
        // trusted client, which is not verified
        assertEquals("450 4.1.1 <nobody@alias.test>: Recipient address rejected: unverified address: User unknown "
                + "in virtual alias table", rcptPastInProgress(STRANGER, "nobody@alias.test"));
        assertEquals("250 2.1.5 Ok", rcptPastInProgress(STRANGER, "info@alias.test"));
        String stranger = UUID.randomUUID().toString();
        try (SmtpDialogue d = SmtpDialogue.open(stack.smtpPort(), STRANGER)) {
            d.send("EHLO client.test").expect("250 *");
            d.send("MAIL FROM:<s@remote.test>").expect("250 2.1.0 Ok");
            d.send("RCPT TO:<info@alias.test>").expect("250 2.1.5 Ok");
            d.send("DATA").expect("354 *");
            d.raw("Subject: " + stranger + "\r\n\r\nfrom a stranger\r\n").send(".").expect("250 2.0.0 Ok: queued as *");
        }
        assertTrue(Stack.await(Duration.ofSeconds(30), () -> fax.deliveries("pages@fax.example.test", stranger) == 1
                && stack.messagesContaining("bob", stranger).size() == 1), stack.log("queue-worker"));
        assertLogged(stack, "verifier", "to=<info@alias.test>, relay=none");
        try (SmtpDialogue d = SmtpDialogue.open(stack.smtpPort())) {
            d.send("EHLO client.test").expect("250 *");
            d.send("MAIL FROM:<s@remote.test>").expect("250 2.1.0 Ok");
            assertEquals("550 5.1.1 <nobody@alias.test>: Recipient address rejected: User unknown in virtual alias "
                    + "table", d.send("RCPT TO:<nobody@alias.test>").reply());
        }
    }

    /**
     * ADR 0007: mail for mailboxes only goes to mxgate.mailbox, which queue-worker does not read; one recipient
     * elsewhere puts the whole message on mxgate.incoming, read by both, and each delivers its own recipients.
     */
    @Test
    @Order(5)
    void mailForMailboxesOnlySkipsTheTopicQueueWorkerReads() {
        String mixed = UUID.randomUUID().toString();
        String reply = SmtpDialogue.sendMail(stack.smtpPort(), "s@remote.test",
                List.of("alice@example.test", "pages@fax.example.test"), "Subject: " + mixed + "\r\n\r\nboth\r\n");
        assertTrue(SmtpDialogueTest.QUEUED.matcher(reply).matches(), reply);
        String local = UUID.randomUUID().toString();
        send(stack, "s@remote.test", "alice@example.test", local);
        assertTrue(Stack.await(Duration.ofSeconds(30), () -> fax.deliveries("pages@fax.example.test", mixed) == 1
                && stack.messagesContaining("alice", mixed).size() == 1
                && stack.messagesContaining("alice", local).size() == 1), stack.log("queue-worker"));
        List<String> incoming = stack.topic("mxgate.incoming");
        List<String> mailbox = stack.topic("mxgate.mailbox");
        assertEquals(1, incoming.stream().filter(r -> r.contains(mixed)).count(), "mixed recipients: incoming");
        assertTrue(mailbox.stream().noneMatch(r -> r.contains(mixed)));
        assertEquals(1, mailbox.stream().filter(r -> r.contains(local)).count(), "mailboxes only: mailbox");
        assertTrue(incoming.stream().noneMatch(r -> r.contains(local)));
    }

    /**
     * A recipient on mxgate.mailbox outside lmtp-delivery's virtual_mailbox_domains (smtp-ingress configured
     * otherwise) is not dropped: lmtp-delivery delivers its own and hands the other to queue-worker, which
     * delivers it on the flush.
     */
    @Test
    @Order(6)
    void aStrayRecipientOnTheMailboxTopicIsHandedToQueueWorker() {
        String tag = UUID.randomUUID().toString();
        Envelope envelope = new Envelope(new QueueId(Clock.systemUTC()).next(), Instant.now(),
                new MailAddress("s", "remote.test"),
                List.of(new MailAddress("alice", "example.test"), new MailAddress("pages", "fax.example.test")),
                new Envelope.Client("client.test", "127.0.0.1", "client.test", "ESMTP"), 0, "");
        stack.produce(QueueRecords.record("mxgate.mailbox", envelope,
                ("Subject: " + tag + "\r\n\r\nstray\r\n").getBytes(StandardCharsets.US_ASCII)));
        assertTrue(Stack.await(Duration.ofSeconds(30), () -> stack.messagesContaining("alice", tag).size() == 1));
        assertLogged(stack, "lmtp-delivery", envelope.queueId() + ": 1 recipient(s) on mxgate.mailbox outside "
                + "virtual_mailbox_domains");
        assertTrue(Stack.await(Duration.ofSeconds(30), () -> QueueTool.json(stack).contains("pages@fax.example.test")),
                QueueTool.json(stack));
        QueueTool.cli(stack, "flush");
        assertTrue(Stack.await(Duration.ofSeconds(30), () -> fax.deliveries("pages@fax.example.test", tag) == 1),
                stack.log("queue-worker"));
        assertEquals(1, stack.messagesContaining("alice", tag).size(), "alice got it once");
    }

    @Test
    @Order(7)
    void fallbackRelayTakesOverWhileTheRelayhostIsDown() {
        relayhost.stop();
        String tag = UUID.randomUUID().toString();
        send(stack, "s@remote.test", "dave@elsewhere.test", tag);
        assertTrue(Stack.await(Duration.ofSeconds(30), () -> fallback.deliveries("dave@elsewhere.test", tag) == 1),
                stack.log("queue-worker"));
        assertLogged("to=<dave@elsewhere.test>, relay=127.0.0.1[127.0.0.1]:" + fallback.port());
        assertTrue(relayhost.messagesContaining(tag).isEmpty());
    }

    /**
     * lmtp-delivery and queue-worker disagree on virtual_mailbox_domains (a rollout, a table edit): each recipient of
     * a record on mxgate.incoming is still delivered once, because smtp-ingress chose its consumer when it wrote
     * the record. Before that choice was written, each consumer judged by its own list, and bob@example.test was
     * skipped by both.
     */
    @Test
    @Order(8)
    void consumersThatDisagreeOnTheMailboxDomainsNeitherDropNorDoubleARecipient() {
        stack.stopService("lmtp-delivery");
        Stack.Replica other = stack.startReplica("lmtp-delivery", "lmtp-delivery-other",
                Map.of("MXGATE_VIRTUAL_MAILBOX_DOMAINS", "other.test"));
        try {
            String tag = UUID.randomUUID().toString();
            String reply = SmtpDialogue.sendMail(stack.smtpPort(), "s@remote.test",
                    List.of("bob@example.test", "pages@fax.example.test"), "Subject: " + tag + "\r\n\r\nboth\r\n");
            assertTrue(SmtpDialogueTest.QUEUED.matcher(reply).matches(), reply);
            assertTrue(Stack.await(Duration.ofSeconds(30), () -> fax.deliveries("pages@fax.example.test", tag) == 1
                    && stack.messagesContaining("bob", tag).size() == 1), stack.log(other));
            assertEquals(1, stack.messagesContaining("bob", tag).size(), "bob got it once");
            assertEquals(1, fax.deliveries("pages@fax.example.test", tag), "the fax sink got it once");
        } finally {
            stack.stopReplica(other);
            stack.startService("lmtp-delivery");
        }
    }
}

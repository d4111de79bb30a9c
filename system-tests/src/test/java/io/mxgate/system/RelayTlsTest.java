package io.mxgate.system;

import io.mxgate.testkit.DnsServer;
import io.mxgate.testkit.Ports;
import io.mxgate.testkit.Script;
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
 * Issue 19, outbound: verified TLS for relay and IPv6 next hops, end to end with real peers, as a stranger (outside
 * mynetworks, so every recipient is verified at the next hop first). tls.test is a relay domain whose MX host
 * mx.tls.test offers STARTTLS (aiosmtpd, dev/tls-sink.sh) with a certificate from a test CA (dev/tls.sh --ca) that
 * {@code smtp_tls_CAfile} trusts, and {@code smtp_tls_policy_maps} says {@code tls.test verify}. Then an impostor
 * takes the MX host's address with a certificate for the same name from another CA: the mail is deferred with
 * Postfix's 4.7.5 "Server certificate not verified", never bounced, and the impostor gets nothing, not even in
 * plaintext; once the genuine server is back, a flush delivers it. v6.test's only MX host has only an AAAA record
 * (::1), where a smtp-sink listens. Tests run in order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RelayTlsTest {

    private static Path dir;
    private static DnsServer dns;
    private static Sink genuine;
    private static Sink impostor;
    private static Sink v6;
    private static Stack stack;
    private static int mxPort;
    private static String impostorTag;

    @BeforeAll
    static void start() throws IOException {
        dir = Files.createTempDirectory(Path.of("/tmp"), "mxgate-relaytls-");
        Script.run("tls.sh", "--ca", dir.resolve("ca"), dir.resolve("genuine-cert"), "mx.tls.test");
        Script.run("tls.sh", "--ca", dir.resolve("other-ca"), dir.resolve("impostor-cert"), "mx.tls.test");
        mxPort = Ports.free();
        genuine = Sink.startTls(dir.resolve("genuine"), "127.0.0.1", mxPort, dir.resolve("genuine-cert"));
        impostor = null;
        v6 = Sink.start(dir.resolve("v6"), "::1", mxPort);
        dns = DnsServer.start(dir.resolve("dns"), List.of(
                "mx-host=tls.test,mx.tls.test,10",
                "host-record=mx.tls.test,127.0.0.1",
                "mx-host=wrongname.test,mx.wrongname.test,10",
                "host-record=mx.wrongname.test,127.0.0.1",
                "mx-host=v6.test,mx.v6.test,10",
                "host-record=mx.v6.test,::1"));
        // smtp_tls_policy_maps as TLS_README writes it; every other destination keeps the default level, may
        Files.writeString(dir.resolve("tls_policy"), "# smtp_tls_policy_maps\ntls.test         verify\n"
                + "wrongname.test   verify\n");
        Files.writeString(dir.resolve("transport"), "v6lit.test   relay:[::1]:" + mxPort + "\n");
        stack = Stack.start(Map.of(
                "MXGATE_RELAY_DOMAINS", "tls.test, wrongname.test, v6.test, v6lit.test",
                "MXGATE_TRANSPORT_MAPS", "hash:" + dir.resolve("transport"),
                "MXGATE_SMTP_TLS_POLICY_MAPS", "hash:" + dir.resolve("tls_policy"),
                "MXGATE_SMTP_TLS_CAFILE", dir.resolve("ca/ca.pem").toString(),
                "MXGATE_SMTP_TCP_PORT", Integer.toString(mxPort),
                "MXGATE_DNS_RESOLVER", dns.resolver(),
                "MXGATE_SMTP_CONNECT_TIMEOUT", "5s"));
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {stack, dns, genuine, impostor, v6}) {
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

    /** A stranger's RCPT, asked again while the verifier answers "in progress" (a first contact). */
    private static String rcpt(String recipient) {
        String[] reply = {""};
        Stack.await(Duration.ofSeconds(30), () -> {
            try (SmtpDialogue d = SmtpDialogue.open(stack.smtpPort())) {
                d.send("EHLO client.test").expect("250 *");
                d.send("MAIL FROM:<s@remote.test>").expect("250 2.1.0 Ok");
                return !(reply[0] = d.send("RCPT TO:<" + recipient + ">").reply()).contains("in progress");
            }
        });
        return reply[0];
    }

    @Test
    @Order(1)
    void aTrustedCertificateThatNamesTheMxHostIsVerifiedAndTheMailDeliveredOverTls() {
        assertEquals("250 2.1.5 Ok", rcpt("u@tls.test"), stack.log("verifier"));
        String tag = UUID.randomUUID().toString();
        RelayRoutingTest.send(stack, "s@remote.test", "u@tls.test", tag);
        assertTrue(Stack.await(Duration.ofSeconds(30), () -> genuine.deliveries("u@tls.test", tag) == 1),
                stack.log("queue-worker"));
        assertTrue(genuine.messagesContaining(tag).get(0).startsWith("X-TLS: yes\r\n"), "came over TLS");
        RelayRoutingTest.assertLogged(stack, "queue-worker", "to=<u@tls.test>, relay=mx.tls.test[127.0.0.1]:"
                + mxPort + ", delay=");
    }

    @Test
    @Order(2)
    void anImpostorsCertificateDefersTheMailWithNothingSent() {
        genuine.stop();
        impostor = Sink.startTls(dir.resolve("impostor"), "127.0.0.1", mxPort, dir.resolve("impostor-cert"));
        impostorTag = UUID.randomUUID().toString();
        RelayRoutingTest.send(stack, "s@remote.test", "u@tls.test", impostorTag);  // verified before: accepted
        assertTrue(Stack.await(Duration.ofSeconds(30), () -> QueueTool.json(stack).contains(
                "Server certificate not verified")), QueueTool.json(stack) + stack.log("queue-worker"));
        String log = stack.log("queue-worker");
        assertTrue(log.contains("certificate verification failed for mx.tls.test[127.0.0.1]:" + mxPort
                + ": untrusted certificate: "), log);
        assertTrue(log.matches("(?s).*to=<u@tls\\.test>, relay=mx\\.tls\\.test\\[127\\.0\\.0\\.1]:" + mxPort
                + ", delay=[^\\n]*, dsn=4\\.7\\.5, status=deferred \\(Server certificate not verified\\).*"), log);
        assertFalse(log.contains("status=bounced"), log);
        assertTrue(QueueTool.json(stack).contains("\"state\":\"deferred\""), QueueTool.json(stack));
        assertEquals(List.of(), impostor.files(), "the impostor got nothing, not even in plaintext");
    }

    @Test
    @Order(3)
    void theDeferredMailIsDeliveredOnceTheGenuineServerIsBack() {
        impostor.stop();
        genuine.start();
        assertTrue(QueueTool.cli(stack, "flush").contains("\"flushed\":1"), QueueTool.json(stack));
        assertTrue(Stack.await(Duration.ofSeconds(30), () -> genuine.deliveries("u@tls.test", impostorTag) == 1),
                stack.log("queue-worker"));
        assertTrue(genuine.messagesContaining(impostorTag).get(0).startsWith("X-TLS: yes\r\n"));
        assertTrue(Stack.await(Duration.ofSeconds(10), () -> QueueTool.cli(stack, "list").contains("Mail queue is empty")));
        assertEquals(List.of(), impostor.files());
    }

    @Test
    @Order(4)
    void aTrustedCertificateForAnotherHostIsNotVerifiedEither() {
        String reply = rcpt("u@wrongname.test");
        assertTrue(reply.startsWith("450 4.1.1 <u@wrongname.test>: Recipient address rejected: unverified address: "
                + "Server certificate not verified"), reply);
        assertEquals(0, genuine.deliveries("u@wrongname.test", ""));
    }

    @Test
    @Order(5)
    void anMxHostWithOnlyAnIpv6AddressIsReached() {
        assertEquals("250 2.1.5 Ok", rcpt("x@v6.test"), stack.log("verifier"));
        String tag = UUID.randomUUID().toString();
        RelayRoutingTest.send(stack, "s@remote.test", "x@v6.test", tag);
        assertTrue(Stack.await(Duration.ofSeconds(30), () -> v6.deliveries("x@v6.test", tag) == 1),
                stack.log("queue-worker"));
        RelayRoutingTest.assertLogged(stack, "queue-worker", "to=<x@v6.test>, relay=mx.v6.test[::1]:" + mxPort
                + ", delay=");
    }

    @Test
    @Order(6)
    void anIpv6NextHopInBracketsIsReached() {
        assertEquals("250 2.1.5 Ok", rcpt("y@v6lit.test"), stack.log("verifier"));
        String tag = UUID.randomUUID().toString();
        RelayRoutingTest.send(stack, "s@remote.test", "y@v6lit.test", tag);
        assertTrue(Stack.await(Duration.ofSeconds(30), () -> v6.deliveries("y@v6lit.test", tag) == 1),
                stack.log("queue-worker"));
        RelayRoutingTest.assertLogged(stack, "queue-worker", "to=<y@v6lit.test>, relay=::1[::1]:" + mxPort
                + ", delay=");
    }
}

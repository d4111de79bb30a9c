package io.mxgate.system;

import io.mxgate.testkit.HaProxy;
import io.mxgate.testkit.SmtpDialogue;
import io.mxgate.testkit.Stack;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The PROXY-protocol listener behind a cloud load balancer: the client address in the header is the client, for
 * mynetworks (the shared stack trusts 192.0.2.0/24 and 127.0.0.77) and for the logs; a bad header closes the
 * connection. Only peers in mxgate.smtpd-upstream-proxy-trusted-networks (127.0.0.1 here, where the tests and a
 * real HAProxy play the load balancer) may send a header at all: anyone else could claim a mynetworks address.
 */
@ExtendWith(StackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProxyProtocolTest {

    private final Stack stack;
    private HaProxy haproxy;

    ProxyProtocolTest(Stack stack) {
        this.stack = stack;
    }

    @BeforeAll
    void startHaproxy() {
        haproxy = HaProxy.start(stack.dir().resolve("haproxy"), stack.proxyPort());
    }

    @AfterAll
    void stopHaproxy() {
        haproxy.close();
    }

    /** A PROXY v2 header for TCP over IPv4 (the binary form cloud LBs send). */
    static byte[] v2(String source, int sourcePort, String destination, int destinationPort) {
        ByteBuffer b = ByteBuffer.allocate(28);
        b.put(new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A});
        b.put((byte) 0x21).put((byte) 0x11).putShort((short) 12);
        for (String part : source.split("\\.")) {
            b.put((byte) Integer.parseInt(part));
        }
        for (String part : destination.split("\\.")) {
            b.put((byte) Integer.parseInt(part));
        }
        b.putShort((short) sourcePort).putShort((short) destinationPort);
        return b.array();
    }

    @Test
    void v1HeaderGivesTheRealClientWhoMayRelayFromMynetworks() {
        try (SmtpDialogue d = SmtpDialogue.connect(stack.proxyPort())) {
            d.raw("PROXY TCP4 192.0.2.7 203.0.113.25 40001 25\r\n");
            d.expect("220 mx.example.test ESMTP mxgate");
            d.send("EHLO client.test").expect("250 *");
            d.send("MAIL FROM:<s@remote.test>").expect("250 2.1.0 Ok");
            d.send("RCPT TO:<friend@outside.test>").expect("250 2.1.5 Ok");
        }
        assertTrue(Stack.await(Duration.ofSeconds(2),
                () -> stack.log("smtp-ingress").contains("connect from unknown[192.0.2.7]")));
    }

    @Test
    void v2HeaderInTheSamePacketAsTheFirstCommand() {
        ByteArrayOutputStream packet = new ByteArrayOutputStream();
        packet.writeBytes(v2("198.51.100.9", 40002, "203.0.113.25", 25));
        packet.writeBytes("EHLO client.test\r\n".getBytes(StandardCharsets.US_ASCII));
        try (SmtpDialogue d = SmtpDialogue.connect(stack.proxyPort())) {
            d.raw(packet.toByteArray());
            d.expect("220 mx.example.test ESMTP mxgate");
            d.expect("250 8BITMIME");
            d.send("MAIL FROM:<s@remote.test>").expect("250 2.1.0 Ok");
            d.send("RCPT TO:<friend@outside.test>").expect("554 5.7.1 <friend@outside.test>: Relay access denied");
        }
        assertTrue(Stack.await(Duration.ofSeconds(2), () -> stack.log("smtp-ingress").contains(
                "NOQUEUE: reject: RCPT from unknown[198.51.100.9]: 554 5.7.1 <friend@outside.test>")));
    }

    @Test
    void realHaproxyInTheTrustedListPassesTheClientAddress() {
        // HAProxy itself connects from 127.0.0.1, which is not in mynetworks: only the client's address relays
        try (SmtpDialogue d = SmtpDialogue.open(haproxy.port(), "127.0.0.77")) {
            d.send("EHLO client.test").expect("250 *");
            d.send("MAIL FROM:<s@remote.test>").expect("250 2.1.0 Ok");
            d.send("RCPT TO:<friend@outside.test>").expect("250 2.1.5 Ok");
        }
        assertTrue(Stack.await(Duration.ofSeconds(2),
                () -> stack.log("smtp-ingress").contains("connect from unknown[127.0.0.77]")));
    }

    @Test
    void spoofedHeaderFromAnUntrustedPeerGetsNoSmtp() {
        try (SmtpDialogue d = SmtpDialogue.connect(stack.proxyPort(), "127.0.0.2")) {
            d.raw(v2("192.0.2.66", 40003, "203.0.113.25", 25));
            assertNull(d.reply(), "a peer outside the trusted proxies got an SMTP reply with a mynetworks address");
        }
        assertTrue(Stack.await(Duration.ofSeconds(2), () -> stack.log("smtp-ingress").contains(
                "warning: haproxy: PROXY header from untrusted peer 127.0.0.2 claims client 192.0.2.66")));
        assertFalse(stack.log("smtp-ingress").contains("[192.0.2.66]"), "the claimed client reached an SMTP session");
    }

    @Test
    void garbageHeaderClosesTheConnection() {
        try (SmtpDialogue d = SmtpDialogue.connect(stack.proxyPort())) {
            d.raw("EHLO i.forgot.the.header\r\n");
            d.expectClosed();
        }
    }

    @Test
    void plainListenerIgnoresProxyHeaders() {
        try (SmtpDialogue d = SmtpDialogue.open(stack.smtpPort())) {
            d.send("PROXY TCP4 192.0.2.7 203.0.113.25 40001 25").expect("500 5.5.2 Error: command not recognized");
        }
    }
}

package io.mxgate.system;

import io.mxgate.testkit.Ports;
import io.mxgate.testkit.SmtpDialogue;
import io.mxgate.testkit.Stack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hostile clients: each case gets the exact reply, the server stays up, and the queue holds what it should. */
@ExtendWith(StackExtension.class)
class HostileInputTest {

    private final Stack stack;

    HostileInputTest(Stack stack) {
        this.stack = stack;
    }

    private SmtpDialogue inData(SmtpDialogue d) {
        d.send("EHLO client.test").expect("250 *");
        d.send("MAIL FROM:<s@remote.test>").expect("250 2.1.0 Ok");
        d.send("RCPT TO:<alice@example.test>").expect("250 2.1.5 Ok");
        d.send("DATA").expect("354 *");
        return d;
    }

    /** Every end-of-data variant that is not CRLF.CRLF, and a NUL: none may end DATA or start a second message. */
    @ParameterizedTest
    @ValueSource(strings = {"\n.\n", "\n.\r\n", "\r.\r", "\r\n.\r", "\r.\r\n", "\r\n.\n", "\r\n\0.\r\n", "\n..\n"})
    void smugglingVariantsNeverEndData(String variant) {
        String tag = UUID.randomUUID().toString();
        try (SmtpDialogue d = inData(SmtpDialogue.open(stack.smtpPort()))) {
            d.raw("Subject: " + tag + "\r\n\r\nfirst part" + variant
                    + "MAIL FROM:<evil@outside.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n"
                    + "Subject: smuggled " + tag + "\r\n\r\nevil\r\n.\r\n");
            assertTrue(SmtpDialogueTest.QUEUED.matcher(d.reply()).matches());
            d.send("QUIT").expect("221 2.0.0 Bye");
        }
        List<String> records = stack.topic("mxgate.mailbox").stream().filter(r -> r.contains(tag)).toList();
        assertEquals(1, records.size(), "one message reached Kafka");
        assertTrue(records.get(0).contains("MAIL FROM:<evil@outside.test>"), "the smuggled commands are its body");
        assertTrue(records.get(0).startsWith("Received: "));
    }

    @Test
    void pipeliningBeforeTheReplyToEhloOrDataIsRefused() {
        try (SmtpDialogue d = SmtpDialogue.open(stack.smtpPort())) {
            d.raw("EHLO client.test\r\nMAIL FROM:<s@remote.test>\r\n");
            d.expect("554 5.5.0 Error: SMTP protocol synchronization");
            d.expectClosed();
        }
        String tag = UUID.randomUUID().toString();
        try (SmtpDialogue d = SmtpDialogue.open(stack.smtpPort())) {
            d.send("EHLO client.test").expect("250 *");
            d.send("MAIL FROM:<s@remote.test>").expect("250 2.1.0 Ok");
            d.send("RCPT TO:<alice@example.test>").expect("250 2.1.5 Ok");
            d.raw("DATA\r\nSubject: " + tag + "\r\n\r\nno wait for 354\r\n.\r\n");
            d.expect("554 5.5.0 Error: SMTP protocol synchronization");
        }
        assertTrue(stack.topic("mxgate.mailbox").stream().noneMatch(r -> r.contains(tag)));
    }

    /**
     * The greeting waits for the client's name (smtpd_peername_lookup) from a DNS server that never answers, so
     * a command sent at once is certainly sent before the greeting.
     */
    @Test
    void commandsBeforeTheGreetingAreRefused() throws Exception {
        try (DatagramSocket silentDns = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            int smtp = Ports.free();
            Stack.Replica ingress = stack.startReplica("smtp-ingress", "smtp-ingress-pregreet", Map.of(
                    "MXGATE_SMTPD_PORT", Integer.toString(smtp),
                    "MXGATE_SMTPD_PROXY_PORT", Integer.toString(Ports.free()),
                    "MXGATE_SMTPD_PEERNAME_LOOKUP", "true",
                    "MXGATE_DNS_RESOLVER", "127.0.0.1:" + silentDns.getLocalPort(),
                    "MXGATE_DNS_TIMEOUT", "2s"));
            try {
                try (SmtpDialogue d = SmtpDialogue.connect(smtp)) {
                    d.raw("EHLO client.test\r\n");
                    d.expect("554 5.5.0 Error: SMTP protocol synchronization");
                    d.expectClosed();
                }
                try (SmtpDialogue d = SmtpDialogue.open(smtp)) {
                    d.send("EHLO client.test").expect("250 *");
                }
                assertTrue(stack.log(ingress).contains(
                        "improper command pipelining after CONNECT from unknown[127.0.0.1]"));
            } finally {
                stack.stopReplica(ingress);
            }
        }
    }

    /** smtpd_client_connection_rate_limit: the sixth connection in the time unit is refused, other clients are not. */
    @Test
    void perClientConnectionRateLimit() {
        int smtp = Ports.free();
        Stack.Replica ingress = stack.startReplica("smtp-ingress", "smtp-ingress-rate", Map.of(
                "MXGATE_SMTPD_PORT", Integer.toString(smtp),
                "MXGATE_SMTPD_PROXY_PORT", Integer.toString(Ports.free()),
                "MXGATE_SMTPD_CLIENT_CONNECTION_RATE_LIMIT", "5",
                "MXGATE_ANVIL_RATE_TIME_UNIT", "60s"));
        try {
            for (int i = 0; i < 5; i++) {
                try (SmtpDialogue d = SmtpDialogue.open(smtp, "127.0.0.11")) {
                    d.send("QUIT").expect("221 2.0.0 Bye");
                }
            }
            try (SmtpDialogue d = SmtpDialogue.connect(smtp, "127.0.0.11")) {
                d.expect("421 4.7.0 mx.example.test Error: too many connections from 127.0.0.11");
                d.expectClosed();
            }
            try (SmtpDialogue other = SmtpDialogue.open(smtp, "127.0.0.12")) {
                other.send("QUIT").expect("221 2.0.0 Bye");
            }
            assertTrue(stack.log(ingress).contains(
                    "warning: Connection rate limit exceeded: 6 from unknown[127.0.0.11] for service smtp"));
        } finally {
            stack.stopReplica(ingress);
        }
    }

    /** Postfix's header_size_limit (102400): a longer header loses its excess, the message is still queued. */
    @Test
    void oversizedHeaderLosesItsExcessAndTheMessageIsQueued() {
        String tag = UUID.randomUUID().toString();
        StringBuilder folded = new StringBuilder("X-Huge: start-" + tag + "\r\n");
        for (int i = 0; i < 300; i++) {
            folded.append('\t').append(String.format("%05d", i)).append("y".repeat(994)).append("\r\n");
        }
        try (SmtpDialogue d = inData(SmtpDialogue.open(stack.smtpPort()))) {
            d.raw(folded + "Subject: after " + tag + "\r\n\r\nbody " + tag + "\r\n.\r\n");
            assertTrue(SmtpDialogueTest.QUEUED.matcher(d.reply()).matches());
        }
        String record = stack.topic("mxgate.mailbox").stream().filter(r -> r.contains("start-" + tag)).findFirst()
                .orElseThrow();
        int huge = record.indexOf("X-Huge: ");
        int next = record.indexOf("Subject: after " + tag);
        assertTrue(next > huge && next - huge <= 102_400, "the header kept " + (next - huge) + " bytes");
        assertTrue(next - huge > 100_000, "and no less than fits");
        assertTrue(record.contains("\t00099y") && !record.contains("\t00299y"), "the first lines stay, the last go");
        assertTrue(record.contains("\r\n\r\nbody " + tag));
        assertTrue(stack.log("smtp-ingress").contains("header(s) longer than header_size_limit 102400"));
    }

    /** Postfix's hopcount_limit (50): 49 Received headers plus ours is a mail loop; 48 plus ours is not. */
    @Test
    void aMailLoopIsRefusedAtTheHopcountLimit() {
        String tag = UUID.randomUUID().toString();
        String received = "Received: from a.test by b.test; Mon, 1 Jan 2024 00:00:00 +0000\r\n";
        try (SmtpDialogue d = inData(SmtpDialogue.open(stack.smtpPort()))) {
            d.raw(received.repeat(49) + "Subject: loop " + tag + "\r\n\r\nbody\r\n.\r\n");
            d.expect("554 5.4.0 Error: too many hops");
            d.send("MAIL FROM:<s@remote.test>").expect("250 2.1.0 Ok");
            d.send("RCPT TO:<alice@example.test>").expect("250 2.1.5 Ok");
            d.send("DATA").expect("354 *");
            d.raw(received.repeat(48) + "Subject: no loop " + tag + "\r\n\r\nbody\r\n.\r\n");
            assertTrue(SmtpDialogueTest.QUEUED.matcher(d.reply()).matches());
        }
        List<String> records = stack.topic("mxgate.mailbox").stream().filter(r -> r.contains(tag)).toList();
        assertEquals(1, records.size());
        assertTrue(records.get(0).contains("Subject: no loop " + tag));
        assertTrue(stack.log("smtp-ingress").contains("reject: END-OF-MESSAGE from "));
    }

    @Test
    void tenThousandRecipientsHitTheLimitThenTheErrorLimit() {
        try (SmtpDialogue d = SmtpDialogue.open(stack.smtpPort())) {
            d.send("EHLO client.test").expect("250 *");
            d.send("MAIL FROM:<s@remote.test>").expect("250 2.1.0 Ok");
            StringBuilder rcpts = new StringBuilder();
            for (int i = 0; i < 10_000; i++) {
                rcpts.append("RCPT TO:<alice@example.test>\r\n");
            }
            d.raw(rcpts.toString());
            for (int i = 0; i < 1000; i++) {
                d.expect("250 2.1.5 Ok");
            }
            for (int i = 0; i < 19; i++) {
                d.expect("452 4.5.3 Error: too many recipients");
            }
            d.expect("452 4.5.3 Error: too many recipients");
            d.expect("421 4.7.0 mx.example.test Error: too many errors");
            d.expectClosed();
        }
    }

    @Test
    void slowlorisInCommandsAndInDataIsCutOff() throws InterruptedException {
        try (SmtpDialogue d = SmtpDialogue.open(stack.smtpPort())) {
            d.timeout(Duration.ofSeconds(20));
            for (char c : "NOOP".toCharArray()) {
                d.raw(String.valueOf(c));
                Thread.sleep(1000);
            }
            d.expect("421 4.4.2 mx.example.test Error: timeout exceeded");
        }
        try (SmtpDialogue d = inData(SmtpDialogue.open(stack.smtpPort()))) {
            d.timeout(Duration.ofSeconds(20));
            String reply = null;
            for (int i = 0; i < 15 && reply == null; i++) {
                d.raw("x");
                Thread.sleep(1000);
                reply = d.replyIfAny();
            }
            assertEquals("421 4.4.2 mx.example.test Error: timeout exceeded", reply,
                    "one byte a second is below smtpd_min_data_rate");
        }
        assertTrue(stack.log("smtp-ingress").contains("below smtpd_min_data_rate"));
    }

    @Test
    void perClientConnectionLimit() {
        List<SmtpDialogue> open = new ArrayList<>();
        try {
            for (int i = 0; i < 60; i++) {
                open.add(SmtpDialogue.open(stack.smtpPort(), "127.0.0.9"));
            }
            try (SmtpDialogue d = SmtpDialogue.connect(stack.smtpPort(), "127.0.0.9")) {
                d.expect("421 4.7.0 mx.example.test Error: too many connections from 127.0.0.9");
            }
            try (SmtpDialogue other = SmtpDialogue.open(stack.smtpPort(), "127.0.0.1")) {
                other.send("QUIT").expect("221 2.0.0 Bye");
            }
        } finally {
            open.forEach(SmtpDialogue::close);
        }
    }

    @Test
    void eightBitEnvelopesWithoutSmtputf8AreRefused() {
        try (SmtpDialogue d = SmtpDialogue.open(stack.smtpPort())) {
            d.send("EHLO client.test").expect("250 *");
            d.send("MAIL FROM:<b\u00e4d@remote.test>").expect("501 5.1.7 Bad sender address syntax");
            d.send("MAIL FROM:<s@remote.test>").expect("250 2.1.0 Ok");
            d.send("RCPT TO:<\u00e4lice@example.test>").expect("501 5.1.3 Bad recipient address syntax");
            d.send("RCPT TO:<alice@ex\u00e4mple.test>").expect("501 5.1.3 Bad recipient address syntax");
            d.send("RCPT TO:<alice>").expect("501 5.1.3 Bad recipient address syntax");
        }
    }
}

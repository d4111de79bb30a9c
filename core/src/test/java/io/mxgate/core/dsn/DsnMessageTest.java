package io.mxgate.core.dsn;

import io.mxgate.core.address.AddressParser;
import io.mxgate.core.address.MailAddress;
import io.mxgate.core.smtp.EnhancedStatus;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The DSN's structure, checked line by line and by an independent parser (Python's email package). */
class DsnMessageTest {

    private static final Instant ARRIVAL = Instant.parse("2026-11-25T05:00:00Z");
    private static final Instant NOW = Instant.parse("2026-11-25T09:00:00Z");
    private static final byte[] ORIGINAL = ("Received: from client.test\r\nSubject: Gr\u00fc\u00dfe\r\n"
            + "Message-Id: <m1@client.test>\r\n\r\n.body line\r\n").getBytes(StandardCharsets.UTF_8);

    private static MailAddress a(String s) {
        return AddressParser.parseMailbox(s);
    }

    private static DsnMessage.Input input(DsnMessage.Kind kind) {
        List<RecipientStatus> r = List.of(
                new RecipientStatus(a("bob@remote.test"), a("bob@remote.test"), EnhancedStatus.of(5, 1, 1),
                        "host mx.remote.test[192.0.2.1] said: 550 5.1.1 <bob@remote.test>: Recipient address rejected: "
                                + "User unknown in virtual mailbox table (in reply to RCPT TO command)",
                        "mx.remote.test", "550 5.1.1 <bob@remote.test>: Recipient address rejected: User unknown in "
                        + "virtual mailbox table"),
                RecipientStatus.of(a("carol@remote.test"), a("sales@alias.test"), EnhancedStatus.of(4, 4, 1),
                        "connect to mx.remote.test[192.0.2.1]:25: Connection refused"));
        return new DsnMessage.Input(kind, "mx.example.test", "QID123", a("s@client.test"), a("s@client.test"), null,
                ARRIVAL, NOW, "DSN456", ARRIVAL.plus(Duration.ofDays(5)), Duration.ofHours(4), Duration.ofDays(5), r,
                ORIGINAL);
    }

    private static String text(DsnMessage.Kind kind) {
        return new String(DsnMessage.build(input(kind)), StandardCharsets.UTF_8);
    }

    @Test
    void failureReportLayout() {
        String dsn = text(DsnMessage.Kind.FAILURE);
        assertTrue(dsn.startsWith("Received: by mx.example.test (mxgate)\r\n\tid DSN456; "), dsn);
        assertTrue(dsn.contains("\r\nSubject: Undelivered Mail Returned to Sender\r\n"), dsn);
        assertTrue(dsn.contains("\r\nTo: s@client.test\r\n"), dsn);
        assertTrue(dsn.contains("\r\nAuto-Submitted: auto-replied\r\n"), dsn);
        assertTrue(dsn.contains("Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\""
                + "QID123." + NOW.getEpochSecond() + "/mx.example.test\""), dsn);
        assertTrue(dsn.contains("\r\nReporting-MTA: dns; mx.example.test\r\nX-Postfix-Queue-ID: QID123\r\n"
                + "X-Postfix-Sender: rfc822; s@client.test\r\nArrival-Date: Wed, 25 Nov 2026 05:00:00 +0000 (UTC)\r\n"),
                dsn);
        assertTrue(dsn.contains("\r\nFinal-Recipient: rfc822; bob@remote.test\r\nAction: failed\r\nStatus: 5.1.1\r\n"
                + "Remote-MTA: dns; mx.remote.test\r\nDiagnostic-Code: smtp; 550 5.1.1 <bob@remote.test>: Recipient address\r\n"
                + " rejected: User unknown in virtual mailbox table\r\n"), dsn);
        assertTrue(dsn.contains("\r\nFinal-Recipient: rfc822; carol@remote.test\r\nOriginal-Recipient: "
                + "rfc822;sales@alias.test\r\nAction: failed\r\nStatus: 4.4.1\r\n"), dsn);
        assertTrue(dsn.contains("<carol@remote.test> (expanded from <sales@alias.test>): connect to"), dsn);
        assertTrue(dsn.contains("Content-Type: text/rfc822-headers\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                + "Received: from client.test\r\nSubject: Gr\u00fc\u00dfe\r\nMessage-Id: <m1@client.test>\r\n\r\n--"), dsn);
        assertFalse(dsn.contains(".body line"), "the body is not returned");
        assertTrue(dsn.endsWith("--QID123." + NOW.getEpochSecond() + "/mx.example.test--\r\n"), dsn);
        for (String line : dsn.split("\r\n")) {
            assertTrue(line.length() <= 998, "no line longer than RFC 5322 allows");
        }
    }

    @Test
    void delayReportSaysWhenItGivesUp() {
        String dsn = text(DsnMessage.Kind.DELAY);
        assertTrue(dsn.contains("\r\nSubject: Delayed Mail (still being retried)\r\n"), dsn);
        assertTrue(dsn.contains("# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #"), dsn);
        assertTrue(dsn.contains("Your message could not be delivered for more than 4 hour(s).\r\n"
                + "It will be retried until it is 5 day(s) old."), dsn);
        assertTrue(dsn.contains("\r\nAction: delayed\r\n"), dsn);
        assertTrue(dsn.contains("\r\nWill-Retry-Until: Mon, 30 Nov 2026 05:00:00 +0000 (UTC)\r\n"), dsn);
    }

    @Test
    void pythonsEmailPackageReadsItAsADeliveryReport() throws Exception {
        Assumptions.assumeTrue(new ProcessBuilder("python3", "--version").start().waitFor() == 0, "python3");
        String script = String.join("\n",
                "import sys, email",
                "from email import policy",
                "m = email.message_from_bytes(sys.stdin.buffer.read(), policy=policy.default)",
                "parts = list(m.iter_parts())",
                "ds = parts[1].get_payload()",
                "print(m.get_content_type(), m.get_param('report-type'))",
                "print(','.join(p.get_content_type() for p in parts))",
                "print(len(m.defects) + sum(len(p.defects) for p in parts))",
                "print(ds[0]['X-Postfix-Queue-ID'], len(ds) - 1)",
                "for b in ds[1:]: print(b['Final-Recipient'], '|', b['Action'], '|', b['Status'], '|', b['Diagnostic-Code'])",
                "");
        for (DsnMessage.Kind kind : DsnMessage.Kind.values()) {
            Process p = new ProcessBuilder("python3", "-c", script).redirectErrorStream(true).start();
            p.getOutputStream().write(DsnMessage.build(input(kind)));
            p.getOutputStream().close();
            String[] out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\n");
            assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, String.join("\n", out));
            String action = kind == DsnMessage.Kind.FAILURE ? "failed" : "delayed";
            assertEquals("multipart/report delivery-status", out[0]);
            assertEquals("text/plain,message/delivery-status,text/rfc822-headers", out[1]);
            assertEquals("0", out[2], "no defects");
            assertEquals("QID123 2", out[3]);
            assertEquals("rfc822; bob@remote.test | " + action + " | 5.1.1 | smtp; 550 5.1.1 <bob@remote.test>: "
                    + "Recipient address rejected: User unknown in virtual mailbox table", out[4]);
            assertEquals("rfc822; carol@remote.test | " + action + " | 4.4.1 | X-Postfix; connect to "
                    + "mx.remote.test[192.0.2.1]:25: Connection refused", out[5]);
        }
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            PT4H   | 4 hour(s)
            P5D    | 5 day(s)
            PT30M  | 30 minute(s)
            PT10S  | 10 second(s)
            PT90M  | 90 minute(s)
            """)
    void durationsInPostfixsWords(String iso, String words) {
        assertEquals(words, DsnMessage.human(Duration.parse(iso)));
    }

    @ParameterizedTest(name = "[{index}] headers of \"{0}\"")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            'A: 1\\r\\nB: 2\\r\\n\\r\\nbody\\r\\n'  | 'A: 1\\r\\nB: 2\\r\\n'
            'A: 1\\n\\nbody\\n'                     | 'A: 1\\n'
            'A: 1\\r\\n'                           | 'A: 1\\r\\n'
            'A: 1'                                 | 'A: 1\\r\\n'
            '\\r\\nbody'                           | ''
            """)
    void headerSection(String message, String headers) {
        String m = message.replace("\\r", "\r").replace("\\n", "\n");
        String h = headers.replace("\\r", "\r").replace("\\n", "\n");
        assertEquals(h, new String(DsnMessage.headerSection(m.getBytes(StandardCharsets.ISO_8859_1)),
                StandardCharsets.ISO_8859_1));
    }
}

package io.mxgate.system;

import io.mxgate.testkit.Ports;
import io.mxgate.testkit.SmtpDialogue;
import io.mxgate.testkit.Sink;
import io.mxgate.testkit.Stack;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The services' logs read by the real pflogsumm, as the README tells an admin to ({@code pflogsumm
 * --syslog-name=mxgate}): a stranger (outside mynetworks, no SASL) sends a known mix, and the report's totals and
 * sender list must match what was sent. pflogsumm counts a message as received from smtpd's {@code client=} line,
 * takes its size and sender from the {@code from=<>, size=} line of any other process (qmgr in Postfix), and counts
 * the delivery agents' {@code to=<>, relay=..., status=} lines; it reads lines in order, so the logs are given to it
 * smtp-ingress first, as syslog would merge them by time.
 */
class PflogsummTest {

    private static final Path PFLOGSUMM = Path.of("/usr/sbin/pflogsumm");
    private static final Pattern QUEUE_ID = Pattern.compile("250 2\\.0\\.0 Ok: queued as ([0-9A-Za-z]+)");

    private static Path dir;
    private static Sink relayhost;
    private static Sink down;
    private static Stack stack;

    @BeforeAll
    static void start() throws IOException {
        assertTrue(Files.isExecutable(PFLOGSUMM), PFLOGSUMM + " is missing: ./mxgate test installs the Debian package"
                + " pflogsumm (dev/install.sh)");
        dir = Files.createTempDirectory(Path.of("/tmp"), "mxgate-pflogsumm-");
        relayhost = Sink.start(dir.resolve("relayhost"), "127.0.0.1", Ports.free());
        down = Sink.start(dir.resolve("down"), "127.0.0.1", Ports.free());
        Files.writeString(dir.resolve("transport"), "down.test   smtp:" + down.nextHop() + "\n");
        stack = Stack.start(Map.of(
                "MXGATE_MYNETWORKS", "192.0.2.0/24",
                "MXGATE_RELAY_DOMAINS", "down.test",
                "MXGATE_TRANSPORT_MAPS", "hash:" + dir.resolve("transport"),
                "MXGATE_RELAYHOST", relayhost.nextHop(),
                "MXGATE_SMTP_CONNECT_TIMEOUT", "5s"));
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {stack, relayhost, down}) {
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

    @Test
    void reportCountsWhatTheStrangerSent() throws Exception {
        List<String> queued = new ArrayList<>();
        String small = "Subject: pflogsumm\r\nMessage-ID: <m1@client.test>\r\n\r\nhello\r\n";
        // delivered: one recipient, then two in one message
        queued.add(send("s1@senders.test", List.of("alice@example.test"), small));
        queued.add(send("s2@senders.test", List.of("alice@example.test", "bob@example.test"), small));
        // delivered by smtp while down.test's server is up; its probe puts carol in the verify cache
        queued.add(send("s1@senders.test", List.of("carol@down.test"), small));
        assertTrue(Stack.await(Duration.ofSeconds(20), () -> down.deliveries("carol@down.test", "pflogsumm") == 1));
        // deferred: the cached verdict lets the RCPT pass, delivery then finds the server down
        down.stop();
        queued.add(send("s2@senders.test", List.of("carol@down.test"), small));
        RelayRoutingTest.assertLogged(stack, "queue-worker", "to=<carol@down.test>, relay=none");
        // bounced: 4 KB for a mailbox with a 1 KB quota; the DSN to s3 leaves through the relayhost (delivered)
        String big = "Subject: pflogsumm big\r\n\r\n" + ("x".repeat(70) + "\r\n").repeat(60);
        queued.add(send("s3@senders.test", List.of("full@example.test"), big));
        RelayRoutingTest.assertLogged(stack, "lmtp-delivery", "to=<full@example.test>");
        assertTrue(Stack.await(Duration.ofSeconds(20), () -> relayhost.deliveries("s3@senders.test", "") == 1),
                "the DSN reached s3 through the relayhost");
        // rejected at RCPT: relay access denied, and an unknown user
        try (SmtpDialogue d = SmtpDialogue.open(stack.smtpPort())) {
            d.send("EHLO client.test").expect("250 *");
            d.send("MAIL FROM:<s4@senders.test>").expect("250 *");
            d.send("RCPT TO:<victim@outside.test>").expect("554 5.7.1 *Relay access denied");
            d.send("RCPT TO:<ghost@example.test>").expect("450 4.1.1 *");
            d.send("QUIT");
        }
        RelayRoutingTest.assertLogged(stack, "smtp-ingress", "to=<ghost@example.test> proto=ESMTP");
        RelayRoutingTest.assertLogged(stack, "lmtp-delivery", "to=<bob@example.test>");
        assertTrue(Pattern.compile("mxgate/cleanup\\[\\d+\\]: " + queued.get(0) + ": message-id=<m1@client\\.test>\n")
                .matcher(stack.log("smtp-ingress")).find(), stack.log("smtp-ingress"));
        // qmgr's "removed" (pflogsumm does not read it) once the last recipient is done: mail for mailboxes only by
        // lmtp-delivery (the bounced one too), relayed mail by queue-worker; the deferred message stays
        for (int i : new int[] {0, 1, 4}) {
            RelayRoutingTest.assertLogged(stack, "lmtp-delivery", queued.get(i) + ": removed");
        }
        RelayRoutingTest.assertLogged(stack, "queue-worker", queued.get(2) + ": removed");
        assertFalse(stack.log("queue-worker").contains(queued.get(3) + ": removed"), "the deferred one is queued");

        Map<String, String> totals = new TreeMap<>();
        String report = pflogsumm();
        Matcher m = Pattern.compile("(?m)^ +(\\d+)([km]?) +(received|delivered|deferred|bounced|rejected|bytes received)"
                + "\\b").matcher(report);
        while (m.find()) {
            totals.put(m.group(3), m.group(1) + m.group(2));
        }
        long bytes = loggedSizes(queued);
        assertTrue(bytes > sentBytes(small, small, small, small, big) && bytes < sentBytes(small, small, small,
                small, big) + queued.size() * 1000L, "sizes " + bytes + " are the messages plus a Received header");
        Map<String, String> expected = new TreeMap<>(Map.of(
                "received", "5",
                // alice, alice and bob, carol by smtp, and the DSN to s3
                "delivered", "5",
                "deferred", "1",
                "bounced", "1",
                "rejected", "2",
                "bytes received", Long.toString(bytes)));
        assertEquals(expected, totals, report);
        assertEquals(List.of("2   s1@senders.test", "2   s2@senders.test", "1   s3@senders.test"),
                section(report, "Senders by message count"), report);
    }

    private static String send(String from, List<String> to, String body) {
        String reply = SmtpDialogue.sendMail(stack.smtpPort(), from, to, body);
        Matcher m = QUEUE_ID.matcher(reply);
        assertTrue(m.matches(), reply);
        return m.group(1);
    }

    private static long sentBytes(String... bodies) {
        long n = 0;
        for (String b : bodies) {
            n += b.getBytes(StandardCharsets.US_ASCII).length;
        }
        return n;
    }

    /** The sizes smtp-ingress logged for these queue ids, which pflogsumm must add up. */
    private static long loggedSizes(List<String> queueIds) {
        String log = stack.log("smtp-ingress");
        long sum = 0;
        for (String id : queueIds) {
            Matcher m = Pattern.compile(Pattern.quote(id) + ": from=<[^>]*>, size=(\\d+), ").matcher(log);
            assertTrue(m.find(), "no size logged for " + id + " in\n" + log);
            sum += Long.parseLong(m.group(1));
        }
        return sum;
    }

    private static String pflogsumm() throws IOException, InterruptedException {
        Path all = stack.dir().resolve("mail.log");
        StringBuilder logs = new StringBuilder();
        for (String service : List.of("smtp-ingress", "verifier", "queue-worker", "lmtp-delivery")) {
            logs.append(stack.log(service));
        }
        Files.writeString(all, logs);
        Process p = new ProcessBuilder(PFLOGSUMM.toString(), "--syslog-name=mxgate", all.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "pflogsumm finished");
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    /** The entries of one of the report's sections ("TITLE: none" when empty), blanks squeezed to three. */
    private static List<String> section(String report, String title) {
        List<String> lines = report.lines().toList();
        int start = lines.indexOf(title);
        List<String> out = new ArrayList<>();
        if (start < 0) {
            assertTrue(lines.contains(title + ": none"), "no section \"" + title + "\"");
            return out;
        }
        for (int i = start + 2; i < lines.size() && !lines.get(i).isBlank(); i++) {
            out.add(lines.get(i).trim().replaceAll("\\s+", "   "));
        }
        return out;
    }
}

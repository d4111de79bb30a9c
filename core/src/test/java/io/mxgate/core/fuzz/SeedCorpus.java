package io.mxgate.core.fuzz;

import io.mxgate.core.address.MailAddress;
import io.mxgate.core.envelope.Envelope;
import io.mxgate.core.envelope.EnvelopeCodec;

import java.io.IOException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.mxgate.core.fuzz.InputDecoderFuzzTest.ACCEPT_DATA;
import static io.mxgate.core.fuzz.InputDecoderFuzzTest.DISCARD_AFTER_STARTTLS;
import static io.mxgate.core.fuzz.InputDecoderFuzzTest.HOLD;

/**
 * Writes the hand-made seeds of the checked-in fuzz corpus (not a test). The corpus directories may also hold
 * inputs the fuzzer found interesting and regression inputs for fixed findings; this tool only (re)writes the
 * files it names. For the decoder it also replays each seed through the fuzz target and prints the events, so a
 * seed is known to do what its name says.
 *
 * <pre>
 * mvn -q -pl core test-compile dependency:build-classpath -Dmdep.outputFile=target/test.cp -Dmdep.includeScope=test
 * java -cp core/target/test-classes:core/target/classes:$(cat core/target/test.cp) \
 *     io.mxgate.core.fuzz.SeedCorpus core/src/test/resources
 * </pre>
 */
public final class SeedCorpus {

    private SeedCorpus() {
    }

    public static void main(String[] args) throws IOException {
        Path base = Path.of(args.length > 0 ? args[0] : "core/src/test/resources").resolve("io/mxgate/core/fuzz");
        write(base.resolve("CommandParserFuzzTestInputs/parse"), commands());
        write(base.resolve("ReplyParserFuzzTestInputs/accept"), replies());
        write(base.resolve("AddressFuzzTestInputs/paths"), addresses());
        write(base.resolve("EnvelopeCodecFuzzTestInputs/decode"), envelopes());
        Map<String, byte[]> sessions = sessions();
        for (Map.Entry<String, byte[]> e : sessions.entrySet()) {
            List<String> events = InputDecoderFuzzTest.run(new InputDecoderFuzzTest.ArraySource(e.getValue()));
            System.out.println(e.getKey() + " (" + e.getValue().length + " bytes)");
            for (String event : events) {
                String shown = FuzzSupport.esc(event, Integer.MAX_VALUE);
                System.out.println("    " + (shown.length() > 160 ? shown.substring(0, 40) + " ... "
                        + shown.substring(shown.length() - 110) : shown));
            }
        }
        write(base.resolve("InputDecoderFuzzTestInputs/session"), sessions);
    }

    private static void write(Path dir, Map<String, byte[]> seeds) throws IOException {
        Files.createDirectories(dir);
        for (Map.Entry<String, byte[]> e : seeds.entrySet()) {
            Files.write(dir.resolve(e.getKey()), e.getValue());
        }
    }

    /** The UTF-8 bytes of {@code s}, one char per byte (as the decoder hands them to the parser). */
    static String utf8AsLatin1(String s) {
        return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    // ------------------------------------------------------------------ command lines

    private static Map<String, byte[]> commands() {
        Map<String, byte[]> m = new LinkedHashMap<>();
        String[][] lines = {
            {"ehlo", "EHLO client.example.org"},
            {"helo-lower", "helo client"},
            {"helo-missing", "HELO"},
            {"helo-8bit", "EHLO cli\u00e9nt.example"},
            {"mail-null-sender", "MAIL FROM:<>"},
            {"mail-params", "MAIL FROM:<user@example.org> SIZE=10240 BODY=8BITMIME"},
            {"mail-space-after-colon", "mail from: <User.Name+tag@Example.ORG>"},
            {"mail-unbracketed", "MAIL FROM:user@example.org"},
            {"mail-source-route", "MAIL FROM:<@relay1.example,@relay2.example:user@example.org>"},
            {"mail-size-huge", "MAIL FROM:<a@b.example> SIZE=999999999999999999999"},
            {"mail-size-bad", "MAIL FROM:<a@b.example> SIZE=-1"},
            {"mail-body-bad", "MAIL FROM:<a@b.example> BODY=BINARYMIME"},
            {"mail-unknown-param", "MAIL FROM:<a@b.example> SMTPUTF8 RET=HDRS"},
            {"mail-8bit", "MAIL FROM:<j\u00f6rg@example.de>"},
            {"mail-utf8-bytes", utf8AsLatin1("MAIL FROM:<j\u00f6rg@b\u00fccher.example>")},
            {"mail-quoted-gt", "MAIL FROM:<\"a>b\"@example.org> SIZE=1"},
            {"rcpt", "RCPT TO:<postmaster@example.net>"},
            {"rcpt-quoted", "RCPT TO:<\"John Q. Public\\\"\"@example.net>"},
            {"rcpt-postmaster", "RCPT TO:<Postmaster>"},
            {"rcpt-ipv4-literal", "RCPT TO:<user@[192.0.2.1]>"},
            {"rcpt-ipv6-literal", "RCPT TO:<user@[IPv6:2001:db8::1]>"},
            {"rcpt-percent-hack", "RCPT TO:<user%victim.example@relay.example>"},
            {"rcpt-bang-path", "RCPT TO:<victim.example!user@relay.example>"},
            {"rcpt-notify", "RCPT TO:<a@b.example> NOTIFY=NEVER"},
            {"rcpt-nul", "RCPT TO:<a\u0000b@example.net>"},
            {"rcpt-no-domain", "RCPT TO:<user@>"},
            {"rcpt-long-local", "RCPT TO:<" + "x".repeat(65) + "@example.net>"},
            {"rcpt-long-label", "RCPT TO:<a@" + "l".repeat(64) + ".example>"},
            {"rcpt-trailing-dot", "RCPT TO:<a@example.net.>"},
            {"rcpt-tab", "RCPT\tTO:<a@example.net>"},
            {"data", "DATA"},
            {"data-arg", "DATA now"},
            {"bdat", "BDAT 100 LAST"},
            {"rset", "RSET"},
            {"noop-arg", "NOOP whatever you like"},
            {"quit", "QUIT"},
            {"vrfy", "VRFY postmaster"},
            {"vrfy-empty", "VRFY"},
            {"starttls", "STARTTLS"},
            {"starttls-arg", "STARTTLS now"},
            {"auth-plain", "AUTH PLAIN AHRlc3QAdGVzdA=="},
            {"auth-login", "AUTH LOGIN"},
            {"auth-too-many", "AUTH PLAIN a b"},
            {"http-get", "GET / HTTP/1.1"},
            {"empty", ""},
            {"spaces", "   \t  "},
            {"overlong", "MAIL FROM:<" + "a".repeat(3000) + "@example.org>"},
            {"nul-only", "\u0000\u0000\u0000"},
            {"latin1-ws", "\u00a0MAIL\u0085FROM:<a@b.example>"},
            {"sharp-s", "\u00dfTARTTL\u00df"},
        };
        for (String[] l : lines) {
            m.put(l[0], bytes(l[1]));
        }
        return m;
    }

    // ------------------------------------------------------------------ replies

    private static Map<String, byte[]> replies() {
        Map<String, byte[]> m = new LinkedHashMap<>();
        m.put("ehlo-multiline", bytes("220 mx.example ESMTP\r\n250-mx.example\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n"
                + "250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250 STARTTLS\r\n"));
        m.put("lhlo-lmtp-per-recipient", bytes("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n354 go ahead\r\n"
                + "250 2.0.0 <a@example> Saved\r\n452 4.2.2 <b@example> Mailbox is full\r\n"));
        m.put("reject-enhanced", bytes("550 5.1.1 <nobody@example.net>: Recipient address rejected: User unknown\r\n"));
        m.put("status-wrong-class", bytes("450 5.7.1 mismatched class\r\n"));
        m.put("status-only", bytes("250 2.0.0\r\n"));
        m.put("code-only", bytes("250\r\n"));
        m.put("code-changes", bytes("250-first\r\n251 second\r\n"));
        m.put("code-out-of-range", bytes("199 no\r\n600 no\r\n"));
        m.put("bare-lf", bytes("220 hi\n250-a\n250 b\n"));
        m.put("http-answer", bytes("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"));
        m.put("no-separator", bytes("250x\r\n"));
        m.put("8bit-and-nul", bytes("250 h\u00e9llo \u0000 w\u00f6rld\r\n"));
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 101; i++) {
            many.append("250-line ").append(i).append("\r\n");
        }
        m.put("too-many-lines", bytes(many.append("250 end\r\n").toString()));
        StringBuilder hundred = new StringBuilder();
        for (int i = 0; i < 99; i++) {
            hundred.append("250-line ").append(i).append("\r\n");
        }
        m.put("exactly-max-lines", bytes(hundred.append("250 end\r\n").toString()));
        return m;
    }

    // ------------------------------------------------------------------ addresses

    private static Map<String, byte[]> addresses() {
        Map<String, byte[]> m = new LinkedHashMap<>();
        String[][] paths = {
            {"plain", "<user@example.org>"},
            {"null", "<>"},
            {"unbracketed", "user@Example.ORG"},
            {"source-route", "<@a.example,@b.example:user@c.example>"},
            {"source-route-empty", "<@a.example:>"},
            {"quoted-local", "<\"john..doe\"@example.org>"},
            {"quoted-at", "<\"user@inside\"@example.org>"},
            {"quoted-escape", "<\"a\\\"b\\\\c\"@example.org>"},
            {"quoted-unterminated", "<\"abc@example.org>"},
            {"ipv4-literal", "<postmaster@[192.0.2.1]>"},
            {"ipv6-literal", "<postmaster@[IPv6:2001:db8::1]>"},
            {"literal-with-at", "<a@[b@c]>"},
            {"dots", "<.a..b.@example.org>"},
            {"hyphen-label", "<a@-example-.org>"},
            {"8bit", "<j\u00f6rg@example.de>"},
            {"nul", "<a\u0000@example.org>"},
            {"spaces", "  < user@example.org >  "},
            {"long-domain", "<a@" + ("abcdefghij".repeat(6) + ".").repeat(5) + "example>"},
            {"gt-only", ">"},
            {"lt-only", "<"},
        };
        for (String[] p : paths) {
            m.put(p[0], bytes(p[1]));
        }
        m.put("utf8-kelvin", "<user@\u212aelvin.example>".getBytes(StandardCharsets.UTF_8));
        m.put("utf8-dotless", "<user@\u0130stanbul.example>".getBytes(StandardCharsets.UTF_8));
        return m;
    }

    // ------------------------------------------------------------------ envelopes

    private static Map<String, byte[]> envelopes() {
        Map<String, byte[]> m = new LinkedHashMap<>();
        Envelope e = new Envelope("4XyzAbCdEf", Instant.ofEpochMilli(1_764_000_000_000L),
                new MailAddress("sender", "example.org"),
                List.of(new MailAddress("a", "example.net"), new MailAddress("\"b c\"", "example.net")),
                new Envelope.Client("client.example", "192.0.2.1", "client.example", "ESMTPS"), 0, "");
        m.put("incoming", EnvelopeCodec.encode(e));
        m.put("retry", EnvelopeCodec.encode(e.afterAttempt(List.of(new MailAddress("a", "example.net")),
                "host lmtp[10.0.0.1] said: 452 4.2.2 Mailbox full (in reply to end of DATA command)")));
        m.put("null-sender", EnvelopeCodec.encode(new Envelope("Q1", Instant.EPOCH, MailAddress.NULL_SENDER,
                List.of(new MailAddress("postmaster", "[192.0.2.1]")), new Envelope.Client("unknown", "unknown", "", "SMTP"),
                3, "")));
        m.put("crlf-values", bytes("V 1\nQ id\r\nT 1\nS a@b.example\nC na\rme\nH \r\nR c@d.example\n"));
        m.put("wrong-version", bytes("V 2\nQ id\nT 1\nS a@b.example\nR c@d.example\n"));
        m.put("unknown-record", bytes("V 1\nQ id\nT 1\nS a@b.example\nR c@d.example\nX what\n"));
        m.put("bad-time", bytes("V 1\nQ id\nT 1e3\nS a@b.example\nR c@d.example\n"));
        m.put("huge-time", bytes("V 1\nQ id\nT -9223372036854775808\nS a@b.example\nR c@d.example\nN 2147483647\n"));
        m.put("bad-address", bytes("V 1\nQ id\nT 1\nS a@b.example\nR <c@d.example>\n"));
        m.put("no-recipient", bytes("V 1\nQ id\nT 1\nS a@b.example\n"));
        m.put("empty-line", bytes("V 1\n\nQ id\nT 1\nS \nR c@d.example\n"));
        m.put("invalid-utf8", bytes("V 1\nQ \u00ff\u00fe\nT 1\nS a@b.example\nR c@d.example\nW \u00c3\u0028\n"));
        m.put("empty", new byte[0]);
        return m;
    }

    // ------------------------------------------------------------------ sessions for the decoder

    /** A session as the decoder target reads it: the client's reads, each with the session's flags. */
    static final class Session {
        private int lineByte = 255;
        private int sizeByte = 255;
        private int prefixByte = 1;
        private final List<byte[]> reads = new ArrayList<>();
        private final List<Integer> flags = new ArrayList<>();

        /** maxLineLength: 1..128 or a multiple of 16 up to 2048 (Postfix's default line_length_limit). */
        Session lineLimit(int limit) {
            for (int b = 0; b < 256; b++) {
                if (InputDecoderFuzzTest.lineLimit(b) == limit) {
                    lineByte = b;
                    return this;
                }
            }
            throw new IllegalArgumentException("line limit " + limit);
        }

        /** maxMessageSize: the prefix plus a multiple of 64 bytes (0 .. 16320). */
        Session sizeLimit(int multipleOf64) {
            sizeByte = multipleOf64 / 64;
            return this;
        }

        Session noPrefix() {
            prefixByte = 0;
            return this;
        }

        /** One read of {@code s}, split further only where the size encoding needs it. */
        Session read(String s, int f) {
            byte[] b = bytes(s);
            int at = 0;
            while (at < b.length) {
                int n = b.length - at;
                if (n > 192) {
                    n = n >= 256 ? Math.min(n / 256, 64) * 256 : 192;
                }
                byte[] piece = new byte[n];
                System.arraycopy(b, at, piece, 0, n);
                reads.add(piece);
                flags.add(f);
                at += n;
            }
            return this;
        }

        /** A read per line, as a non-pipelining client sends. */
        Session lines(String s, int f) {
            int start = 0;
            for (int i = 0; i < s.length(); i++) {
                if (s.charAt(i) == '\n') {
                    read(s.substring(start, i + 1), f);
                    start = i + 1;
                }
            }
            return start < s.length() ? read(s.substring(start), f) : this;
        }

        /** A read per byte. */
        Session bytewise(String s, int f) {
            for (char c : s.toCharArray()) {
                read(String.valueOf(c), f);
            }
            return this;
        }

        byte[] build() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            List<Integer> controls = new ArrayList<>(List.of(lineByte, sizeByte, prefixByte));
            for (int i = 0; i < reads.size(); i++) {
                out.writeBytes(reads.get(i));
                controls.add(sizeByte(reads.get(i).length));
                controls.add(flags.get(i));
            }
            for (int i = controls.size() - 1; i >= 0; i--) {
                out.write(controls.get(i));
            }
            return out.toByteArray();
        }

        private static int sizeByte(int n) {
            for (int b = 0; b < 256; b++) {
                if (InputDecoderFuzzTest.chunkSize(b) == n) {
                    return b;
                }
            }
            throw new IllegalArgumentException("read of " + n + " bytes");
        }
    }

    private static final String GREETING_TO_DATA = "EHLO client.example\r\nMAIL FROM:<sender@example.org>\r\n"
            + "RCPT TO:<victim@example.net>\r\nDATA\r\n";
    private static final String HEADERS = "From: sender@example.org\r\nTo: victim@example.net\r\nSubject: test\r\n\r\n";
    private static final String SMUGGLED = "MAIL FROM:<admin@example.net>\r\nRCPT TO:<victim@example.net>\r\nDATA\r\n"
            + "From: admin@example.net\r\nSubject: smuggled\r\n\r\nsmuggled body\r\n";

    private static Map<String, byte[]> sessions() {
        Map<String, byte[]> m = new LinkedHashMap<>();
        int a = ACCEPT_DATA;
        m.put("line-by-line", new Session().lines(GREETING_TO_DATA + HEADERS + "Hello.\r\n.\r\nQUIT\r\n", a).build());
        m.put("pipelined-one-read", new Session().read(GREETING_TO_DATA + HEADERS + "Hello.\r\n.\r\nQUIT\r\n", a).build());
        m.put("pipelined-while-busy", new Session().read("EHLO c\r\nMAIL FROM:<a@b.example>\r\n", a | HOLD)
                .read("RCPT TO:<c@d.example>\r\nDATA\r\n", a | HOLD).read(HEADERS + "x\r\n.\r\nQUIT\r\n", a).build());
        m.put("dot-stuffing", new Session().read(GREETING_TO_DATA, a)
                .lines(HEADERS + "..\r\n...\r\n..leading dot\r\n.unstuffed dot\r\n. \r\n.\r\n", a)
                .read("QUIT\r\n", a).build());
        m.put("empty-message", new Session().read(GREETING_TO_DATA + ".\r\nQUIT\r\n", a).build());
        m.put("data-bare-lf-then-dot", new Session().read("DATA\n.\r\nQUIT\r\n", a).build());
        String[][] variants = {
            {"lf-dot-lf", "\n.\n"}, {"lf-dot-crlf", "\n.\r\n"}, {"cr-dot-cr", "\r.\r"}, {"crlf-dot-cr", "\r\n.\r"},
            {"cr-dot-crlf", "\r.\r\n"}, {"crlf-dot-lf", "\r\n.\n"}, {"crlf-dot-nul-crlf", "\r\n.\u0000\r\n"},
            {"crlf-nul-dot-crlf", "\r\n\u0000.\r\n"}, {"crlf-dot-space-crlf", "\r\n. \r\n"},
            {"crlf-dot-cr-cr-lf", "\r\n.\r\r\n"},
        };
        for (String[] v : variants) {
            String body = HEADERS + "first part" + v[1] + SMUGGLED + ".\r\nQUIT\r\n";
            m.put("smuggle-" + v[0], new Session().read(GREETING_TO_DATA + body, a).build());
            Session split = new Session().read(GREETING_TO_DATA + HEADERS + "first part", a).bytewise(v[1], a)
                    .read(SMUGGLED, a).bytewise(".\r\n", a).read("QUIT\r\n", a);
            m.put("smuggle-" + v[0] + "-bytewise", split.build());
        }
        m.put("bare-lf-client", new Session().read("EHLO c\nMAIL FROM:<a@b.example>\nRCPT TO:<c@d.example>\nDATA\n"
                + "Subject: lf\n\nbody\n.\nmore\n\r\n.\r\nQUIT\n", a).build());
        m.put("bare-cr-inside", new Session()
                .read(GREETING_TO_DATA + HEADERS + "a\rb\r\r\n\r.\r\n\r\n.\r\nQUIT\r\n", a).build());
        m.put("nul-and-8bit", new Session().read(GREETING_TO_DATA + HEADERS
                + "\u0000\u0000\r\n\u00e4\u00f6\u00fc\u00ff\u0080\r\n" + utf8AsLatin1("\u00e4 utf-8 \u2603\r\n")
                + ".\r\nQUIT\r\n", a).build());
        m.put("overlong-command", new Session().read("EHLO c\r\n" + "A".repeat(3000) + "\r\nQUIT\r\n", a).build());
        m.put("overlong-command-in-pieces", new Session().read("EHLO c\r\n" + "B".repeat(1500), a)
                .read("B".repeat(1500), a).read("\r\nNOOP\r\n", a).build());
        m.put("line-at-limit-cr-split", new Session().lineLimit(64).read("NOOP " + "x".repeat(59) + "\r", a)
                .read("\nNOOP " + "y".repeat(59) + "\r", a).read("\r\nQUIT\r\n", a).build());
        m.put("tiny-line-limit", new Session().lineLimit(4).lines("HELO\r\nQUIT\r\nDATA\r\nx\r\n.\r\nRSET\r\n", a).build());
        m.put("too-big", new Session().sizeLimit(64).noPrefix().read(GREETING_TO_DATA, a)
                .read(HEADERS + "z".repeat(100) + "\r\n.\r", a).read("\nQUIT\r\n", a).build());
        m.put("too-big-long-partial-line", new Session().sizeLimit(128).read(GREETING_TO_DATA, a)
                .read("q".repeat(190), a).read("q".repeat(190), a).read("\r", a).read("\n.", a).read("\r", a)
                .read("\n", a).read("QUIT\r\n", a).build());
        m.put("too-big-then-smuggle", new Session().sizeLimit(64).noPrefix().read(GREETING_TO_DATA, a)
                .read("w".repeat(150) + "\n.\n" + SMUGGLED + "\r\n.\r\nQUIT\r\n", a).build());
        m.put("at-size-limit", new Session().sizeLimit(64).noPrefix().read(GREETING_TO_DATA, a)
                .read("y".repeat(62) + "\r\n.\r\n" + GREETING_TO_DATA.substring(GREETING_TO_DATA.indexOf("MAIL"))
                        + "y".repeat(63) + "\r\n.\r\nQUIT\r\n", a).build());
        m.put("data-rejected", new Session().read(GREETING_TO_DATA + HEADERS + "x\r\n.\r\nQUIT\r\n", 0).build());
        m.put("starttls-pipelined", new Session().read("EHLO c\r\nSTARTTLS\r\nMAIL FROM:<evil@example.org>\r\n",
                a | DISCARD_AFTER_STARTTLS).read("EHLO c\r\n" + GREETING_TO_DATA.substring(GREETING_TO_DATA.indexOf("MAIL"))
                + "x\r\n.\r\n", a).build());
        m.put("two-transactions", new Session().read(GREETING_TO_DATA + HEADERS + "one\r\n.\r\nRSET\r\n"
                + GREETING_TO_DATA.substring(GREETING_TO_DATA.indexOf("MAIL")) + HEADERS + "two\r\n.\r\nQUIT\r\n", a)
                .build());
        m.put("big-read", new Session().read(GREETING_TO_DATA + HEADERS
                + ("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_.,;:!?" + "\r\n").repeat(80)
                + ".\r\nQUIT\r\n", a).build());
        return m;
    }
}

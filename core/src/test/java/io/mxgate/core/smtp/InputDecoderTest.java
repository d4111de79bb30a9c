package io.mxgate.core.smtp;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * The decoder guards against SMTP smuggling and unbounded reads, so every case states the exact events, and the
 * session tables are replayed with every way of cutting the input into reads: the result must not depend on how
 * TCP happened to deliver the bytes.
 */
class InputDecoderTest {

    // ---------------------------------------------------------------- event descriptions

    static String line(String text) {
        return "LINE " + esc(text);
    }

    static String tooLong() {
        return "TOO_LONG";
    }

    static String message(String content, boolean bare) {
        return "MESSAGE " + esc(content) + (bare ? " +bare" : "");
    }

    static String tooBig(long size) {
        return "TOO_BIG " + size;
    }

    static String describe(InputDecoder.Event event) {
        if (event instanceof InputDecoder.Event.Line l) {
            return line(l.text());
        } else if (event instanceof InputDecoder.Event.LineTooLong) {
            return tooLong();
        } else if (event instanceof InputDecoder.Event.Message m) {
            return message(new String(m.bytes(), 0, m.length(), StandardCharsets.ISO_8859_1), m.sawBareNewline());
        } else if (event instanceof InputDecoder.Event.MessageTooBig b) {
            return tooBig(b.size());
        }
        throw new AssertionError("unexpected event " + event);
    }

    /** Readable and unambiguous: CR, LF, NUL and 8-bit bytes spelled out. */
    static String esc(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            switch (c) {
                case '\r' -> sb.append("\\r");
                case '\n' -> sb.append("\\n");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c < 0x20 || c >= 0x7f) {
                        sb.append(String.format("\\x%02X", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return "[" + sb + "]";
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Plays the session's part: drains events after every read and switches to DATA after a DATA line. */
    static final class Driver {
        final InputDecoder decoder;
        final byte[] prefix;
        final List<String> events = new ArrayList<>();
        int maxBuffered;

        Driver(int maxLine, long maxSize, String prefix) {
            this.decoder = new InputDecoder(maxLine, maxSize);
            this.prefix = bytes(prefix);
        }

        Driver feed(byte[] chunk) {
            decoder.feed(chunk);
            InputDecoder.Event e;
            while ((e = decoder.next()) != null) {
                events.add(describe(e));
                if (e instanceof InputDecoder.Event.Line l && l.text().equalsIgnoreCase("DATA")) {
                    decoder.startData(prefix);
                }
            }
            maxBuffered = Math.max(maxBuffered, decoder.buffered());
            return this;
        }

        Driver feed(String chunk) {
            return feed(bytes(chunk));
        }
    }

    // ---------------------------------------------------------------- command lines

    static Stream<Arguments> commandFraming() {
        return Stream.of(
                arguments(List.of("NOOP\r\n"), List.of(line("NOOP"))),
                arguments(List.of("NOOP\n"), List.of(line("NOOP"))),
                arguments(List.of("NOOP"), List.of()),
                arguments(List.of("NOOP", "\r\n"), List.of(line("NOOP"))),
                arguments(List.of("NO", "OP\r", "\n"), List.of(line("NOOP"))),
                arguments(List.of("\r\n"), List.of(line(""))),
                arguments(List.of("\n\n"), List.of(line(""), line(""))),
                // only the CR right before the LF belongs to the line ending
                arguments(List.of("NOOP\r\r\n"), List.of(line("NOOP\r"))),
                arguments(List.of("a\rb\r\n"), List.of(line("a\rb"))),
                arguments(List.of("\r"), List.of()),
                arguments(List.of("NO\u0000OP\r\n"), List.of(line("NO\u0000OP"))),
                arguments(List.of("MAIL FROM:<\u00e9@example.test>\r\n"), List.of(line("MAIL FROM:<\u00e9@example.test>"))),
                // pipelined commands in one read, mixed line endings
                arguments(List.of("EHLO c.example\r\nMAIL FROM:<a@example.test>\r\nRCPT TO:<b@example.test>\nNOOP\r\nQUIT\r\n"),
                        List.of(line("EHLO c.example"), line("MAIL FROM:<a@example.test>"), line("RCPT TO:<b@example.test>"),
                                line("NOOP"), line("QUIT"))),
                arguments(List.of("RSET\r\nNO", "OP\r\nQU", "IT"), List.of(line("RSET"), line("NOOP"))));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("commandFraming")
    void framesCommandLines(List<String> reads, List<String> expected) {
        Driver d = new Driver(64, 1000, "");
        reads.forEach(d::feed);
        assertEquals(expected, d.events);
        assertFalse(d.decoder.inData());
    }

    /** Limit 10: a line of 10 octets (without its CRLF) is fine, 11 is too long. */
    static Stream<Arguments> commandLineLimit() {
        String at = "0123456789";
        String over = "01234567890";
        return Stream.of(
                arguments(List.of(at + "\r\n"), List.of(line(at))),
                arguments(List.of(at + "\n"), List.of(line(at))),
                arguments(List.of(at + "\r\n" + at + "\r\n"), List.of(line(at), line(at))),
                arguments(List.of(at), List.of()),
                // too long when the LF arrives
                arguments(List.of(over + "\r\n"), List.of(tooLong())),
                arguments(List.of(over + "\nNOOP\r\n"), List.of(tooLong(), line("NOOP"))),
                arguments(List.of(over + "\r\nNOOP\r\n"), List.of(tooLong(), line("NOOP"))),
                arguments(List.of("x".repeat(500) + "\r\nNOOP\r\n"), List.of(tooLong(), line("NOOP"))),
                // too long before any LF arrives
                arguments(List.of(over), List.of(tooLong())),
                // a line exactly at the limit whose CR and LF arrive in different reads is not too long
                arguments(List.of(at + "\r"), List.of()),
                arguments(List.of(at + "\r", "\nNOOP\r\n"), List.of(line(at), line("NOOP"))),
                // the rest of an over-long line, arriving later, is never read as a command
                arguments(List.of(over, "123\r\nNOOP\r\n"), List.of(tooLong(), line("NOOP"))),
                arguments(List.of(over, "RCPT TO:<victim@example.test>\r\nNOOP\r\n"), List.of(tooLong(), line("NOOP"))),
                arguments(List.of(over + "\r", "\nNOOP\r\n"), List.of(tooLong(), line("NOOP"))),
                arguments(List.of(over, "1234567890123", "4567890123\r\nNOOP\r\n"), List.of(tooLong(), line("NOOP"))));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("commandLineLimit")
    void boundsCommandLines(List<String> reads, List<String> expected) {
        Driver d = new Driver(10, 1000, "");
        reads.forEach(d::feed);
        assertEquals(expected, d.events);
    }

    // ---------------------------------------------------------------- whole sessions, every way of reading them

    record Case(String name, int maxLine, long maxSize, String prefix, String input, List<String> expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final String P = "Received: x\r\n";
    private static final String PAYLOAD =
            "MAIL FROM:<evil@example.test>\r\nRCPT TO:<victim@example.test>\r\nDATA\r\nevil\r\n";

    private static Case data(String name, String input, String... expected) {
        return new Case(name, 1000, 1000, "", input, List.of(expected));
    }

    /**
     * A smuggling attempt: the body holds {@code seq} followed by a second transaction, then the real end. The
     * sequence must not end DATA; exactly one message comes out and the next command is QUIT.
     */
    private static Case smuggle(String seqName, String seq, String expectedContent, boolean bare) {
        return data("smuggling " + seqName, "DATA\r\na" + seq + PAYLOAD + ".\r\nQUIT\r\n",
                line("DATA"), message(expectedContent, bare), line("QUIT"));
    }

    static List<Case> sessions() {
        List<Case> cases = new ArrayList<>();
        // DATA framing
        cases.add(data("simple message, command after it",
                "DATA\r\nSubject: t\r\n\r\nbody\r\n.\r\nQUIT\r\n",
                line("DATA"), message("Subject: t\r\n\r\nbody\r\n", false), line("QUIT")));
        cases.add(data("empty message", "DATA\r\n.\r\n", line("DATA"), message("", false)));
        cases.add(data("no end yet", "DATA\r\npartial\r\n.", line("DATA")));
        cases.add(data("dot-unstuffing", "DATA\r\n..x\r\n...\r\n..\r\nx.\r\n.x\r\n.\r\n",
                line("DATA"), message(".x\r\n..\r\n.\r\nx.\r\nx\r\n", false)));
        cases.add(data("a dot line with more on it is not the end", "DATA\r\n. \r\n.\t\r\n.\r\n",
                line("DATA"), message(" \r\n\t\r\n", false)));
        cases.add(data("bare LF lines are normalized to CRLF", "DATA\r\na\nb\r\nc\n\nd\r\n.\r\n",
                line("DATA"), message("a\r\nb\r\nc\r\n\r\nd\r\n", true)));
        cases.add(data("a bare CR is content", "DATA\r\na\rb\r\n\r\r\n.\r\n",
                line("DATA"), message("a\rb\r\n\r\r\n", false)));
        cases.add(data("NUL bytes are kept", "DATA\r\na\u0000b\r\n\u0000\r\n.\r\n",
                line("DATA"), message("a\u0000b\r\n\u0000\r\n", false)));
        cases.add(data("8-bit bytes are kept", "DATA\r\n\u00e9\u00ff\u0080\r\n.\r\n",
                line("DATA"), message("\u00e9\u00ff\u0080\r\n", false)));
        cases.add(data("pipelined commands after the end, a second transaction",
                "DATA\r\nhi\r\n.\r\nRSET\r\nMAIL FROM:<a@example.test>\r\nRCPT TO:<b@example.test>\r\nDATA\r\nsecond\r\n.\r\nQUIT\r\n",
                line("DATA"), message("hi\r\n", false), line("RSET"), line("MAIL FROM:<a@example.test>"),
                line("RCPT TO:<b@example.test>"), line("DATA"), message("second\r\n", false), line("QUIT")));
        cases.add(data("sawBareNewline is per message", "DATA\r\na\nb\r\n.\r\nDATA\r\nc\r\n.\r\n",
                line("DATA"), message("a\r\nb\r\n", true), line("DATA"), message("c\r\n", false)));
        // smuggling: none of these ends DATA; the later CRLF.CRLF does
        cases.add(smuggle("\\n.\\n", "\n.\n", "a\r\n\r\n" + PAYLOAD, true));
        cases.add(smuggle("\\n.\\r\\n", "\n.\r\n", "a\r\n\r\n" + PAYLOAD, true));
        cases.add(smuggle("\\r.\\r", "\r.\r", "a\r.\r" + PAYLOAD, false));
        cases.add(smuggle("\\r\\n.\\r", "\r\n.\r", "a\r\n\r" + PAYLOAD, false));
        cases.add(smuggle("\\r.\\r\\n", "\r.\r\n", "a\r.\r\n" + PAYLOAD, false));
        cases.add(smuggle("\\r\\n.\\n", "\r\n.\n", "a\r\n\r\n" + PAYLOAD, true));
        cases.add(data("smuggling .\\n first in the body", "DATA\r\n.\nX\r\n.\r\n",
                line("DATA"), message("\r\nX\r\n", true)));
        cases.add(data("smuggling \\n.\\r\\n first in the body", "DATA\r\n\n.\r\nX\r\n.\r\n",
                line("DATA"), message("\r\n\r\nX\r\n", true)));
        cases.add(data("smuggling .\\r\\n after a bare LF line only", "DATA\r\nx\n.\r\n",
                line("DATA")));
        // size limit 20 octets of content
        cases.add(new Case("exactly at the size limit", 1000, 20, "",
                "DATA\r\n123456789012345678\r\n.\r\nRSET\r\n",
                List.of(line("DATA"), message("123456789012345678\r\n", false), line("RSET"))));
        cases.add(new Case("one octet over the size limit, then pipelined commands", 1000, 20, "",
                "DATA\r\n1234567890123456789\r\n.\r\nRSET\r\nMAIL FROM:<a@example.test>\r\n",
                List.of(line("DATA"), tooBig(21), line("RSET"), line("MAIL FROM:<a@example.test>"))));
        cases.add(new Case("at the limit over two lines", 1000, 20, "",
                "DATA\r\n12345678\r\n12345678\r\n.\r\n",
                List.of(line("DATA"), message("12345678\r\n12345678\r\n", false))));
        cases.add(new Case("over the limit over two lines", 1000, 20, "",
                "DATA\r\n12345678\r\n123456789\r\n.\r\nQUIT\r\n",
                List.of(line("DATA"), tooBig(21), line("QUIT"))));
        cases.add(new Case("the limit counts normalized content: bare LF becomes CRLF", 1000, 20, "",
                "DATA\r\n1234567890123456789\n\r\n.\r\nQUIT\r\n",
                List.of(line("DATA"), tooBig(23), line("QUIT"))));
        cases.add(new Case("the limit counts unstuffed content", 1000, 20, "",
                "DATA\r\n..23456789012345678\r\n.\r\n",
                List.of(line("DATA"), message(".23456789012345678\r\n", false))));
        cases.add(new Case("the prefix counts against the limit: at", 1000, 20, "Rcvd: 1\r\n",
                "DATA\r\n123456789\r\n.\r\n",
                List.of(line("DATA"), message("Rcvd: 1\r\n123456789\r\n", false))));
        cases.add(new Case("the prefix counts against the limit: over", 1000, 20, "Rcvd: 1\r\n",
                "DATA\r\n1234567890\r\n.\r\n",
                List.of(line("DATA"), tooBig(12))));
        cases.add(new Case("after a too-big message the next one is read normally", 1000, 20, "",
                "DATA\r\n" + "x".repeat(60) + "\r\n" + "y".repeat(60) + "\r\n.\r\nRSET\r\nDATA\r\nsmall\r\n.\r\nQUIT\r\n",
                List.of(line("DATA"), tooBig(124), line("RSET"), line("DATA"), message("small\r\n", false), line("QUIT"))));
        cases.add(new Case("a too-big message cannot smuggle either", 1000, 20, "",
                "DATA\r\n" + "x".repeat(40) + "\r\n.\nRSET\r\n\r.\r\nRCPT TO:<victim@example.test>\r\n.\r\nQUIT\r\n",
                List.of(line("DATA"), tooBig(42 + 2 + 6 + 5 + 31), line("QUIT"))));
        // a full session with a prefix and the line limit in play
        cases.add(new Case("full session", 32, 100, P,
                "EHLO c.example\r\nMAIL FROM:<a@example.test>\r\nRCPT TO:<b@example.test>\r\nDATA\r\n"
                        + "Subject: t\r\n\r\n..dot\r\n.\r\nQUIT\r\n",
                List.of(line("EHLO c.example"), line("MAIL FROM:<a@example.test>"), line("RCPT TO:<b@example.test>"),
                        line("DATA"), message(P + "Subject: t\r\n\r\n.dot\r\n", false), line("QUIT"))));
        cases.add(new Case("smuggling mixture with a prefix", 32, 100, P,
                "DATA\r\na\n.\nMAIL FROM:<e@x.test>\n.\r\nb\r.\rc\r.\r\nd\r\n.\re\r\n.\nf\r\n.\r\nNOOP\r\n",
                List.of(line("DATA"),
                        message(P + "a\r\n\r\nMAIL FROM:<e@x.test>\r\n\r\nb\r.\rc\r.\r\nd\r\n\re\r\n\r\nf\r\n", true),
                        line("NOOP"))));
        cases.add(new Case("command line exactly at the limit", 32, 100, P,
                "x".repeat(32) + "\r\nNOOP\r\n",
                List.of(line("x".repeat(32)), line("NOOP"))));
        cases.add(new Case("command line over the limit, then a command", 32, 100, P,
                "x".repeat(40) + "\r\nNOOP\r\n",
                List.of(tooLong(), line("NOOP"))));
        cases.add(new Case("too big: a long line whose CR and LF may arrive apart", 32, 100, P,
                "DATA\r\n" + "x".repeat(100) + "\r\n.\r\nQUIT\r\n",
                List.of(line("DATA"), tooBig(102), line("QUIT"))));
        cases.add(new Case("empty messages back to back, prefix only", 32, 100, P,
                "DATA\r\n.\r\nDATA\r\n..\r\n.\r\nQUIT\r\n",
                List.of(line("DATA"), message(P, false), line("DATA"), message(P + ".\r\n", false), line("QUIT"))));
        return cases;
    }

    private static List<String> run(Case c, List<byte[]> reads) {
        Driver d = new Driver(c.maxLine(), c.maxSize(), c.prefix());
        reads.forEach(d::feed);
        return d.events;
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("sessions")
    void allAtOnce(Case c) {
        assertEquals(c.expected(), run(c, List.of(bytes(c.input()))));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("sessions")
    void oneByteAtATime(Case c) {
        byte[] in = bytes(c.input());
        List<byte[]> reads = new ArrayList<>();
        for (byte b : in) {
            reads.add(new byte[] {b});
        }
        assertEquals(c.expected(), run(c, reads));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("sessions")
    void everyTwoWaySplit(Case c) {
        byte[] in = bytes(c.input());
        for (int cut = 1; cut < in.length; cut++) {
            List<byte[]> reads = List.of(Arrays.copyOfRange(in, 0, cut), Arrays.copyOfRange(in, cut, in.length));
            int at = cut;
            assertEquals(c.expected(), run(c, reads), () -> "cut after " + at + " bytes: " + esc(c.input().substring(0, at)));
        }
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("sessions")
    void randomReads(Case c) {
        byte[] in = bytes(c.input());
        Random random = new Random(c.name().hashCode());
        for (int round = 0; round < 50; round++) {
            List<byte[]> reads = new ArrayList<>();
            List<Integer> sizes = new ArrayList<>();
            for (int i = 0; i < in.length; ) {
                int n = Math.min(in.length - i, 1 + random.nextInt(7));
                reads.add(Arrays.copyOfRange(in, i, i + n));
                sizes.add(n);
                i += n;
            }
            assertEquals(c.expected(), run(c, reads), () -> "read sizes " + sizes);
        }
    }

    // ---------------------------------------------------------------- specific properties

    @Test
    void prefixComesFirstAndIsNotUnstuffedOrCounted() {
        Driver d = new Driver(1000, 1000, ".Received: from x\r\n");
        d.feed("DATA\r\n.hello\r\n.\r\n");
        assertEquals(List.of(line("DATA"), message(".Received: from x\r\nhello\r\n", false)), d.events);
    }

    @Test
    void inDataFollowsTheDataPhase() {
        InputDecoder decoder = new InputDecoder(100, 100);
        decoder.feed(bytes("DATA\r\nbody\r\n"));
        assertEquals(new InputDecoder.Event.Line("DATA"), decoder.next());
        assertFalse(decoder.inData());
        decoder.startData(new byte[0]);
        assertTrue(decoder.inData());
        assertNull(decoder.next());
        assertTrue(decoder.inData());
        decoder.feed(bytes(".\r\nNOOP\r\n"));
        InputDecoder.Event.Message m = assertInstanceOf(InputDecoder.Event.Message.class, decoder.next());
        assertArrayEquals(bytes("body\r\n"), Arrays.copyOf(m.bytes(), m.length()));
        assertFalse(decoder.inData());
        assertEquals(new InputDecoder.Event.Line("NOOP"), decoder.next());
        assertNull(decoder.next());
        assertEquals(0, decoder.buffered());
    }

    @Test
    void bufferedCountsUnconsumedBytes() {
        InputDecoder decoder = new InputDecoder(100, 100);
        decoder.feed(bytes("NOOP\r\nRS"));
        assertEquals(8, decoder.buffered());
        assertEquals(new InputDecoder.Event.Line("NOOP"), decoder.next());
        assertEquals(2, decoder.buffered());
        assertNull(decoder.next());
        assertEquals(2, decoder.buffered());
    }

    private static final int MB20 = 20 * 1024 * 1024;
    private static final int CHUNK = 8192;

    /** A 20 MB line without LF inside DATA is discarded as it arrives; the decoder never holds much of it. */
    @Test
    void twentyMegabyteLineInDataIsDiscardedWithBoundedBuffer() {
        int limit = 64 * 1024;
        Driver d = new Driver(1000, limit, "");
        d.feed("DATA\r\n");
        byte[] chunk = new byte[CHUNK];
        Arrays.fill(chunk, (byte) 'x');
        for (int sent = 0; sent < MB20; sent += CHUNK) {
            d.feed(chunk);
        }
        assertTrue(d.maxBuffered <= limit + CHUNK, "buffered grew to " + d.maxBuffered);
        assertTrue(d.decoder.buffered() <= 3, "buffered " + d.decoder.buffered());
        d.feed("\r\n.\r\nQUIT\r\n");
        assertEquals(List.of(line("DATA"), tooBig(MB20 + 2L), line("QUIT")), d.events);
    }

    /** The same as a command line: the buffer stays bounded by the line limit plus one read. */
    @Test
    void twentyMegabyteCommandLineKeepsBufferBounded() {
        Driver d = new Driver(2048, 1000, "");
        byte[] chunk = new byte[CHUNK];
        Arrays.fill(chunk, (byte) 'x');
        for (int sent = 0; sent < MB20; sent += CHUNK) {
            d.feed(chunk);
        }
        assertTrue(d.maxBuffered <= 2048 + CHUNK, "buffered grew to " + d.maxBuffered);
    }

    /** One over-long line is one LineTooLong, however many reads it takes, and its tail is no command. */
    @Test
    void twentyMegabyteCommandLineIsOneLineTooLong() {
        Driver d = new Driver(2048, 1000, "");
        byte[] chunk = new byte[CHUNK];
        Arrays.fill(chunk, (byte) 'x');
        for (int sent = 0; sent < MB20; sent += CHUNK) {
            d.feed(chunk);
        }
        d.feed("\r\nNOOP\r\n");
        assertEquals(List.of(tooLong(), line("NOOP")), runs(d.events));
    }

    /** Consecutive equal events collapsed to {@code "N x EVENT"}, so a failure message stays readable. */
    static List<String> runs(List<String> events) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < events.size(); ) {
            int j = i;
            while (j < events.size() && events.get(j).equals(events.get(i))) {
                j++;
            }
            out.add(j - i == 1 ? events.get(i) : (j - i) + " x " + events.get(i));
            i = j;
        }
        return out;
    }

    /**
     * Past the size limit a long partial line is discarded as it arrives; when that partial line ends in the CR of
     * its CRLF and the LF comes in the next read, the line still ended in CRLF and the following "." ends DATA.
     */
    @Test
    void tooBigLineWhoseCrAndLfArriveInDifferentReads() {
        Driver d = new Driver(1000, 20, "");
        d.feed("DATA\r\n");
        d.feed("x".repeat(40) + "\r");
        d.feed("\n.\r\nQUIT\r\n");
        assertEquals(List.of(line("DATA"), tooBig(42), line("QUIT")), d.events);
        assertFalse(d.decoder.inData());
    }
}

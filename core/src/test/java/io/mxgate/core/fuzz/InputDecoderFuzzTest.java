package io.mxgate.core.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.mxgate.core.client.DotStuffingAccess;
import io.mxgate.core.smtp.Command;
import io.mxgate.core.smtp.CommandParser;
import io.mxgate.core.smtp.InputDecoder;
import io.mxgate.core.smtp.InputDecoder.Event;

import java.io.ByteArrayOutputStream;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

import static io.mxgate.core.fuzz.FuzzSupport.esc;
import static io.mxgate.core.fuzz.FuzzSupport.latin1;

/**
 * {@link InputDecoder} driven the way {@code SmtpSession} drives it: arbitrary bytes arrive in arbitrary reads, the
 * session drains events after each read (or, busy, lets two reads pile up), calls {@code startData} when it accepts
 * a DATA line and {@code discardBuffered} after STARTTLS. Checked after every step:
 * <ul>
 *   <li>nothing throws; command mode yields only Line/LineTooLong, DATA only Message/MessageTooBig;</li>
 *   <li>a Line is at most {@code maxLineLength} characters and holds no LF;</li>
 *   <li>buffering is bounded: once {@code next()} returns null, {@code buffered() <= maxLineLength + 1} in command
 *       mode (a trailing CR may wait for its LF) and {@code buffered() <= max(3, maxMessageSize - prefix)} in DATA
 *       (a partial content line is kept only while it could still fit; past the limit at most the 3 bytes that
 *       may begin the end marker); the read buffer never exceeds {@code max(4096, 2 * (buffered + read))};</li>
 *   <li>DATA ends exactly at the first {@code CRLF.CRLF} on the wire (the DATA line's own ending counts as CRLF):
 *       never earlier (the smuggling variants {@code \n.\n}, {@code \r.\r}, {@code \r\n.\r}, {@code .\0} ... do not
 *       end it), never later;</li>
 *   <li>a Message equals a line-by-line reference decoding of those wire bytes (prefix, then every line with its
 *       CR-before-LF dropped, one leading dot removed, CRLF appended), so every content line ends in CRLF, its
 *       length is {@code <= maxMessageSize}, {@code sawBareNewline} is exact; MessageTooBig comes exactly when that
 *       reference exceeds the limit, with the reference's wire size;</li>
 *   <li>re-stuffing a Message with the client's {@code dotStuffed} gives wire bytes whose only {@code CRLF.CRLF} is
 *       the terminator, and decoding those again gives the same message (what we relay cannot smuggle either);</li>
 *   <li>the events do not depend on how the bytes were split into reads (compared with a one-read replay).</li>
 * </ul>
 * Note the unstuffed content itself may legitimately contain {@code CRLF.CRLF} (a client sending {@code "..\r\n"}
 * means a line "."); the smuggling invariant is therefore checked on the wire, not on the content.
 *
 * <p>Input layout (so that checked-in seeds are real sessions, see {@link SeedCorpus}): the session bytes are taken
 * from the front of the input, one control byte at a time from its end: line limit, size limit, prefix choice,
 * then per read a size byte and a flags byte.
 */
class InputDecoderFuzzTest {

    static final int ACCEPT_DATA = 1;
    static final int DISCARD_AFTER_STARTTLS = 2;
    static final int HOLD = 4;

    static final byte[][] PREFIXES = {
        new byte[0],
        ("Received: from client.example (client.example [192.0.2.1])\r\n"
                + "\tby mx.example (mxgate) with ESMTP id 4Xyz1234\r\n").getBytes(StandardCharsets.US_ASCII),
    };

    static int lineLimit(int b) {
        return b < 128 ? b + 1 : (b - 127) * 16;
    }

    static long sizeLimit(int b, int prefixLength) {
        return prefixLength + (b == 255 ? 1L << 20 : b * 64L);
    }

    static int chunkSize(int b) {
        return b < 192 ? b + 1 : (b - 191) * 256;
    }

    /** Where the fuzzer's bytes come from: session bytes from the front, control bytes from the back. */
    interface Source {
        int control();

        byte[] bytes(int max);

        int remaining();
    }

    record FdpSource(FuzzedDataProvider data) implements Source {
        public int control() {
            return data.consumeInt(0, 255);
        }

        public byte[] bytes(int max) {
            return data.consumeBytes(max);
        }

        public int remaining() {
            return data.remainingBytes();
        }
    }

    /** The same semantics as FuzzedDataProvider for the two calls used, over a plain array (for the seed tool). */
    static final class ArraySource implements Source {
        private final byte[] data;
        private int front;
        private int back;

        ArraySource(byte[] data) {
            this.data = data;
            this.back = data.length;
        }

        public int control() {
            return back > front ? data[--back] & 0xff : 0;
        }

        public byte[] bytes(int max) {
            int n = Math.min(max, back - front);
            byte[] b = Arrays.copyOfRange(data, front, front + n);
            front += n;
            return b;
        }

        public int remaining() {
            return back - front;
        }
    }

    @FuzzTest(maxDuration = "5m")
    void session(FuzzedDataProvider data) {
        run(new FdpSource(data));
    }

    /** Runs one session; returns the event descriptions (the seed tool prints them). */
    static List<String> run(Source source) {
        return new Run(source).run();
    }

    private static final class Run {
        private final Source source;
        private final int maxLine;
        private final byte[] prefix;
        private final long maxSize;
        private final InputDecoder decoder;
        private final ByteArrayOutputStream wire = new ByteArrayOutputStream();
        private final List<String> events = new ArrayList<>();
        private final List<Boolean> dataDecisions = new ArrayList<>();
        private long maxDemand;
        private boolean discarded;
        private int dataStart = -1;

        Run(Source source) {
            this.source = source;
            this.maxLine = lineLimit(source.control());
            int sizeByte = source.control();
            this.prefix = PREFIXES[source.control() & 1];
            this.maxSize = sizeLimit(sizeByte, prefix.length);
            this.decoder = new InputDecoder(maxLine, maxSize);
        }

        List<String> run() {
            int flags = 0;
            while (source.remaining() > 0) {
                int size = chunkSize(source.control());
                flags = source.control();
                byte[] chunk = source.bytes(size);
                if (chunk.length == 0) {
                    continue;
                }
                maxDemand = Math.max(maxDemand, (long) decoder.buffered() + chunk.length);
                decoder.feed(chunk);
                wire.writeBytes(chunk);
                checkReadBuffer();
                if ((flags & HOLD) == 0) {
                    drain(flags);
                }
            }
            drain(flags);
            if (!discarded) {
                replayInOneRead();
            }
            return events;
        }

        private int consumed() {
            return wire.size() - decoder.buffered();
        }

        private void drain(int flags) {
            while (true) {
                boolean inData = decoder.inData();
                Event event = decoder.next();
                if (event == null) {
                    break;
                }
                events.add(describe(event));
                if (inData) {
                    check(event instanceof Event.Message || event instanceof Event.MessageTooBig,
                            () -> "command event in DATA: " + esc(describe(event)));
                    check(!decoder.inData(), () -> "still in DATA after " + esc(describe(event)));
                    checkData(event);
                } else {
                    check(event instanceof Event.Line || event instanceof Event.LineTooLong,
                            () -> "DATA event in command mode: " + esc(describe(event)));
                    if (event instanceof Event.Line line) {
                        handleLine(line, flags);
                    }
                }
            }
            int buffered = decoder.buffered();
            if (decoder.inData()) {
                check(buffered <= Math.max(3, maxSize - prefix.length),
                        () -> "DATA buffers " + buffered + " bytes with maxMessageSize " + maxSize);
            } else {
                check(buffered <= maxLine + 1,
                        () -> "command mode buffers " + buffered + " bytes with maxLineLength " + maxLine);
            }
            checkReadBuffer();
        }

        private void handleLine(Event.Line line, int flags) {
            String text = line.text();
            check(text.length() <= maxLine, () -> "line of " + text.length() + " > " + maxLine);
            check(text.indexOf('\n') < 0, () -> "LF inside a line " + esc(text));
            Command command = CommandParser.parse(text);
            check(command != null, () -> "parse returned null for " + esc(text));
            if (command instanceof Command.Data) {
                boolean accept = (flags & ACCEPT_DATA) != 0;
                dataDecisions.add(accept);
                if (accept) {
                    dataStart = consumed();
                    decoder.startData(prefix);
                    check(decoder.inData(), "not in DATA after startData");
                }
            } else if (command instanceof Command.StartTls && (flags & DISCARD_AFTER_STARTTLS) != 0) {
                decoder.discardBuffered();
                discarded = true;
                check(decoder.buffered() == 0, "buffered after discardBuffered");
            }
        }

        private void checkData(Event event) {
            check(dataStart >= 0, "DATA event without startData");
            byte[] all = wire.toByteArray();
            int end = consumed();
            byte[] segment = Arrays.copyOfRange(all, dataStart, end);
            dataStart = -1;
            checkEndsAtFirstEndMarker(segment);
            Reference ref = Reference.decode(segment, prefix);
            boolean expectTooBig = ref.content.length > maxSize;
            if (event instanceof Event.MessageTooBig tooBig) {
                check(expectTooBig, () -> "MessageTooBig although the content is " + ref.content.length + " <= "
                        + maxSize + " bytes, wire " + esc(segment));
                check(tooBig.size() == ref.wireSize, () -> "MessageTooBig size " + tooBig.size() + ", expected "
                        + ref.wireSize + ", wire " + esc(segment));
                return;
            }
            Event.Message m = (Event.Message) event;
            check(!expectTooBig, () -> "Message of " + m.length() + " bytes although the reference content is "
                    + ref.content.length + " > " + maxSize);
            check(m.length() <= maxSize, () -> "Message of " + m.length() + " > maxMessageSize " + maxSize);
            check(m.length() <= m.bytes().length, "length beyond the array");
            check(m.bytes().length <= Math.max(Math.max(16384, prefix.length + 8192L), maxSize),
                    () -> "content array of " + m.bytes().length + " bytes for maxMessageSize " + maxSize);
            byte[] content = Arrays.copyOf(m.bytes(), m.length());
            check(Arrays.equals(content, ref.content), () -> "content " + esc(content) + " differs from reference "
                    + esc(ref.content) + " for wire " + esc(segment));
            check(m.sawBareNewline() == ref.sawBareNewline, () -> "sawBareNewline " + m.sawBareNewline() + " for wire "
                    + esc(segment));
            checkRestuffing(content);
        }

        /** The client's stuffing of a decoded message can end DATA only at its terminator and decodes back. */
        private void checkRestuffing(byte[] content) {
            byte[] body = Arrays.copyOfRange(content, prefix.length, content.length);
            byte[] stuffed = DotStuffingAccess.dotStuffed(body, body.length);
            check(firstEndMarker(stuffed) == stuffed.length - 3, () -> "re-stuffed message " + esc(stuffed)
                    + " has an early end marker");
            InputDecoder again = new InputDecoder(maxLine, maxSize);
            again.startData(prefix);
            again.feed(stuffed);
            Event event = again.next();
            check(event instanceof Event.Message,
                    () -> "re-stuffed message decodes to " + (event == null ? null : esc(describe(event))));
            Event.Message m = (Event.Message) event;
            check(Arrays.equals(Arrays.copyOf(m.bytes(), m.length()), content) && !m.sawBareNewline(),
                    () -> "re-stuffed message decodes to " + esc(describe(m)) + " instead of " + esc(content));
            check(again.buffered() == 0 && !again.inData() && again.next() == null, "bytes left after re-stuffed message");
        }

        private void checkEndsAtFirstEndMarker(byte[] segment) {
            int n = segment.length;
            check(n >= 3 && segment[n - 3] == '.' && segment[n - 2] == '\r' && segment[n - 1] == '\n',
                    () -> "DATA ended without .CRLF: " + esc(segment));
            check(firstEndMarker(segment) == n - 3, () -> "DATA ended at " + n + " but the first CRLF.CRLF is at "
                    + firstEndMarker(segment) + ": " + esc(segment));
        }

        /** Index in {@code wire} of the '.' of the first CRLF.CRLF, counting a CRLF before the first byte; or -1. */
        private static int firstEndMarker(byte[] wire) {
            for (int i = 0; i + 2 < wire.length; i++) {
                boolean afterCrlf = i == 0 || (i >= 2 && wire[i - 2] == '\r' && wire[i - 1] == '\n');
                if (afterCrlf && wire[i] == '.' && wire[i + 1] == '\r' && wire[i + 2] == '\n') {
                    return i;
                }
            }
            return -1;
        }

        private void checkReadBuffer() {
            if (IN != null) {
                try {
                    int capacity = ((byte[]) IN.get(decoder)).length;
                    check(capacity <= Math.max(4096, 2 * maxDemand), () -> "read buffer of " + capacity
                            + " bytes for at most " + maxDemand + " buffered");
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }

        /** The same bytes in one read, with the same DATA decisions, must give the same events. */
        private void replayInOneRead() {
            InputDecoder one = new InputDecoder(maxLine, maxSize);
            one.feed(wire.toByteArray());
            List<String> replay = new ArrayList<>();
            int dataLines = 0;
            Event event;
            while ((event = one.next()) != null) {
                replay.add(describe(event));
                if (event instanceof Event.Line line && CommandParser.parse(line.text()) instanceof Command.Data) {
                    if (dataLines < dataDecisions.size() && dataDecisions.get(dataLines)) {
                        one.startData(prefix);
                    }
                    dataLines++;
                }
            }
            if (!replay.equals(events)) {
                check(false, () -> "events depend on the reads: in pieces " + escAll(events) + ", in one read "
                        + escAll(replay));
            }
        }

        private static List<String> escAll(List<String> events) {
            return events.stream().map(FuzzSupport::esc).toList();
        }

        private void check(boolean condition, String what) {
            check(condition, () -> what);
        }

        private void check(boolean condition, Supplier<String> what) {
            if (!condition) {
                throw new AssertionError(what.get() + "\n  maxLineLength=" + maxLine + " maxMessageSize=" + maxSize
                        + " prefix=" + prefix.length + "\n  wire so far: " + esc(wire.toByteArray()));
            }
        }
    }

    /** The specification of DATA content, written the obvious way, line by line. */
    record Reference(byte[] content, long wireSize, boolean sawBareNewline) {
        /** {@code segment} is the wire from after the DATA line to the end marker, inclusive. */
        static Reference decode(byte[] segment, byte[] prefix) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(prefix);
            long size = 0;
            boolean bare = false;
            int bodyEnd = segment.length - 3;
            int start = 0;
            for (int i = 0; i < bodyEnd; i++) {
                if (segment[i] != '\n') {
                    continue;
                }
                boolean crlf = i > start && segment[i - 1] == '\r';
                int length = (crlf ? i - 1 : i) - start;
                bare |= !crlf;
                size += length + 2;
                int from = length > 0 && segment[start] == '.' ? 1 : 0;
                out.write(segment, start + from, length - from);
                out.write('\r');
                out.write('\n');
                start = i + 1;
            }
            if (start != bodyEnd) {
                throw new AssertionError("content before the end marker does not end in LF: " + esc(segment));
            }
            return new Reference(out.toByteArray(), size, bare);
        }
    }

    /** An event as text, exact (compared between runs); {@link FuzzSupport#esc} it for display. */
    static String describe(Event event) {
        if (event instanceof Event.Line l) {
            return "Line " + l.text();
        } else if (event instanceof Event.LineTooLong) {
            return "LineTooLong";
        } else if (event instanceof Event.Message m) {
            return (m.sawBareNewline() ? "Message+bare " : "Message ") + latin1(m.bytes(), 0, m.length());
        } else if (event instanceof Event.MessageTooBig b) {
            return "MessageTooBig " + b.size();
        }
        return String.valueOf(event);
    }

    /** The decoder's read buffer, to prove it stays bounded; null (check skipped) if the field is renamed. */
    private static final Field IN = readBufferField();

    private static Field readBufferField() {
        try {
            Field f = InputDecoder.class.getDeclaredField("in");
            f.setAccessible(true);
            return f.getType() == byte[].class ? f : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}

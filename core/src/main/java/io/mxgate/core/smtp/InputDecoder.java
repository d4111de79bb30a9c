package io.mxgate.core.smtp;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Splits what a client sends into command lines and DATA content, with every read bounded. Pull-based: the
 * session {@link #feed feeds} bytes as they arrive and asks for the {@link #next next} event only when it is
 * ready for it, which is how pipelined commands wait behind a slow one.
 *
 * <p>Command lines end at LF (a preceding CR is dropped); a line longer than the limit is {@link Event.LineTooLong}.
 * DATA content ends only at {@code CRLF.CRLF}: a bare LF ends a content line (normalized to CRLF, as Postfix's
 * {@code smtpd_forbid_bare_newline = normalize}) but never the message, and a bare CR is plain content, so
 * {@code \n.\n}, {@code \r.\r} and their mixtures cannot smuggle a second message. Content is dot-unstuffed
 * and capped at the size limit: past it the decoder keeps reading (discarding) to the end of DATA and reports
 * {@link Event.MessageTooBig}, so the session can answer 552 and carry on.
 */
public final class InputDecoder {

    /** What the decoder found. */
    public sealed interface Event {
        record Line(String text) implements Event {
        }

        record LineTooLong() implements Event {
        }

        /** The message: {@code length} bytes of {@code bytes}, the prefix first, every line ending in CRLF. */
        record Message(byte[] bytes, int length, boolean sawBareNewline) implements Event {
        }

        record MessageTooBig(long size) implements Event {
        }
    }

    private static final byte CR = '\r';
    private static final byte LF = '\n';
    private static final int END_MARKER_LENGTH = 3;

    private final int maxLineLength;
    private final long maxMessageSize;

    private byte[] in = new byte[4096];
    private int start;
    private int end;
    /** Everything before this index from {@code start} on is known to hold no LF (a long line arrives in pieces). */
    private int searched;

    private boolean inData;
    private byte[] content;
    private int contentLength;
    private long dataSize;
    private boolean tooBig;
    private boolean previousEndedCrlf;
    private boolean lineTruncated;
    private boolean sawBareNewline;
    /** After an overlong command line, the rest of it up to its LF is skipped, not read as commands. */
    private boolean skippingLine;

    public InputDecoder(int maxLineLength, long maxMessageSize) {
        this.maxLineLength = maxLineLength;
        this.maxMessageSize = maxMessageSize;
    }

    public void feed(byte[] bytes) {
        if (end + bytes.length > in.length) {
            compact(bytes.length);
        }
        System.arraycopy(bytes, 0, in, end, bytes.length);
        end += bytes.length;
    }

    /**
     * Drops everything received and not yet consumed: after STARTTLS, commands the client pipelined in clear text
     * must not be executed inside the TLS session (CVE-2011-0411).
     */
    public int discardBuffered() {
        int dropped = end - start;
        start = end;
        skippingLine = false;
        return dropped;
    }

    /** Bytes received and not yet consumed by an event. */
    public int buffered() {
        return end - start;
    }

    /** Switches to DATA content; {@code prefix} (the Received header) starts the message. */
    public void startData(byte[] prefix) {
        inData = true;
        content = Arrays.copyOf(prefix, Math.max(prefix.length + 8192, 16384));
        contentLength = prefix.length;
        dataSize = 0;
        tooBig = false;
        previousEndedCrlf = true;
        lineTruncated = false;
        sawBareNewline = false;
    }

    public boolean inData() {
        return inData;
    }

    /** The next event, or null when more input is needed. */
    public Event next() {
        return inData ? nextData() : nextLine();
    }

    private Event nextLine() {
        int lf = indexOfLf();
        if (skippingLine) {
            if (lf < 0) {
                start = end;
                return null;
            }
            start = lf + 1;
            skippingLine = false;
            lf = indexOfLf();
        }
        if (lf < 0) {
            if (end - start - trailingCr() > maxLineLength) {
                start = end;
                skippingLine = true;
                return new Event.LineTooLong();
            }
            return null;
        }
        int lineEnd = lf > start && in[lf - 1] == CR ? lf - 1 : lf;
        int length = lineEnd - start;
        int lineStart = start;
        start = lf + 1;
        if (length > maxLineLength) {
            return new Event.LineTooLong();
        }
        return new Event.Line(new String(in, lineStart, length, StandardCharsets.ISO_8859_1));
    }

    /** 1 when the buffered input ends in a CR whose LF may be in the next read. */
    private int trailingCr() {
        return end > start && in[end - 1] == CR ? 1 : 0;
    }

    private Event nextData() {
        while (true) {
            int lf = indexOfLf();
            if (lf < 0) {
                discardLongPartialLineIfTooBig();
                return null;
            }
            boolean crlf = lf > start && in[lf - 1] == CR;
            int lineStart = start;
            int lineLength = (crlf ? lf - 1 : lf) - lineStart;
            start = lf + 1;
            if (!lineTruncated && crlf && previousEndedCrlf && lineLength == 1 && in[lineStart] == '.') {
                return finishData();
            }
            sawBareNewline |= !crlf;
            dataSize += lineLength + 2;
            if (!tooBig) {
                int from = !lineTruncated && lineLength > 0 && in[lineStart] == '.' ? 1 : 0;
                append(lineStart + from, lineLength - from);
            }
            previousEndedCrlf = crlf;
            lineTruncated = false;
        }
    }

    /**
     * Once over the limit nothing is kept, but a partial line must still be recognizable as the end marker, so
     * at most {@value #END_MARKER_LENGTH} bytes of it stay buffered, and a trailing CR stays because its LF may
     * come in the next read and make the line end in CRLF.
     */
    private void discardLongPartialLineIfTooBig() {
        int partial = end - start;
        if (partial > END_MARKER_LENGTH && (tooBig || contentLength + (long) partial > maxMessageSize)) {
            markTooBig();
            int discard = partial - trailingCr();
            dataSize += discard;
            start += discard;
            lineTruncated = true;
        }
    }

    private Event finishData() {
        inData = false;
        Event event = tooBig ? new Event.MessageTooBig(dataSize)
                : new Event.Message(content, contentLength, sawBareNewline);
        content = null;
        return event;
    }

    private void append(int from, int length) {
        long needed = (long) contentLength + length + 2;
        if (needed > maxMessageSize) {
            markTooBig();
            return;
        }
        if (needed > content.length) {
            content = Arrays.copyOf(content, (int) Math.min(Math.max(needed, content.length * 2L), maxMessageSize));
        }
        System.arraycopy(in, from, content, contentLength, length);
        content[contentLength + length] = CR;
        content[contentLength + length + 1] = LF;
        contentLength += length + 2;
    }

    private void markTooBig() {
        tooBig = true;
        content = null;
    }

    private int indexOfLf() {
        for (int i = Math.max(start, searched); i < end; i++) {
            if (in[i] == LF) {
                searched = i + 1;
                return i;
            }
        }
        searched = end;
        return -1;
    }

    private void compact(int incoming) {
        int live = end - start;
        byte[] target = live + incoming > in.length ? new byte[Math.max(in.length * 2, live + incoming)] : in;
        System.arraycopy(in, start, target, 0, live);
        in = target;
        searched = Math.max(0, searched - start);
        start = 0;
        end = live;
    }
}

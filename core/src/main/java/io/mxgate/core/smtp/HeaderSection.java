package io.mxgate.core.smtp;

import java.nio.charset.StandardCharsets;

/**
 * What Postfix's cleanup enforces on the header section of a received message: {@code header_size_limit} (a
 * logical header, continuation lines included, keeps at most that many bytes and its excess is discarded) and
 * the count of {@code Received:} headers that {@code hopcount_limit} compares against to stop mail loops, and the
 * {@code Message-ID:} that cleanup logs ({@code QUEUEID: message-id=<...>}).
 *
 * <p>Works on the message as {@link InputDecoder} delivers it (every line ends in CRLF) and compacts it in place,
 * so a message within the limits costs one scan of its headers and no copy. The header section ends at the first
 * empty line or at the first line that is neither a header nor a continuation.
 */
public final class HeaderSection {

    /**
     * The message after the check: its new {@code length}, its Received headers, how many headers lost bytes, and the
     * value of its first Message-ID header, unfolded and trimmed (null without one).
     */
    public record Result(int length, int hops, int truncatedHeaders, String messageId) {
    }

    private HeaderSection() {
    }

    public static Result limit(byte[] bytes, int length, int headerSizeLimit) {
        int read = 0;
        int write = 0;
        int hops = 0;
        int truncated = 0;
        int headerLength = -1;
        boolean dropping = false;
        StringBuilder messageId = null;
        boolean inMessageId = false;
        while (read < length) {
            int lineEnd = lineEnd(bytes, read, length);
            int lineLength = lineEnd - read;
            boolean continuation = headerLength >= 0 && (bytes[read] == ' ' || bytes[read] == '\t');
            int colon = continuation || lineLength <= 2 ? -1 : colon(bytes, read, lineEnd);
            if (!continuation && colon < 0) {
                break;
            }
            int keep = lineLength;
            if (continuation) {
                if (dropping || headerLength + lineLength > headerSizeLimit) {
                    truncated += dropping ? 0 : 1;
                    dropping = true;
                    keep = 0;
                }
                headerLength += keep;
                if (inMessageId) {
                    messageId.append(new String(bytes, read, keep, StandardCharsets.ISO_8859_1));
                }
            } else {
                dropping = false;
                inMessageId = false;
                hops += isNamed(bytes, read, lineEnd, "received") ? 1 : 0;
                // the name and its colon always stay, so what is left is still a header
                int cut = Math.max(headerSizeLimit - 2, colon + 1 - read);
                if (cut + 2 < lineLength) {
                    truncated++;
                    dropping = true;
                    keep = cut;
                }
                headerLength = keep;
                if (messageId == null && isNamed(bytes, read, lineEnd, "message-id")) {
                    inMessageId = true;
                    messageId = new StringBuilder(new String(bytes, colon + 1, read + keep - colon - 1,
                            StandardCharsets.ISO_8859_1));
                }
            }
            if (keep > 0 && write != read) {
                System.arraycopy(bytes, read, bytes, write, keep);
            }
            write += keep;
            if (keep > 0 && keep < lineLength) {
                bytes[write++] = '\r';
                bytes[write++] = '\n';
            }
            read = lineEnd;
        }
        if (write != read) {
            System.arraycopy(bytes, read, bytes, write, length - read);
        }
        return new Result(write + (length - read), hops, truncated,
                messageId == null ? null : messageId.toString().replaceAll("\r?\n", "").strip());
    }

    /** The index after the LF that ends the line starting at {@code from}, or {@code length} without one. */
    private static int lineEnd(byte[] bytes, int from, int length) {
        for (int i = from; i < length; i++) {
            if (bytes[i] == '\n') {
                return i + 1;
            }
        }
        return length;
    }

    /**
     * The index of the colon when the line is a header: an RFC 5322 field name (printable ASCII but colon), optional
     * blanks, a colon, as Postfix's is_header() sees it; -1 when it is not.
     */
    private static int colon(byte[] bytes, int from, int to) {
        int i = from;
        while (i < to && bytes[i] > ' ' && bytes[i] < 127 && bytes[i] != ':') {
            i++;
        }
        if (i == from) {
            return -1;
        }
        while (i < to && (bytes[i] == ' ' || bytes[i] == '\t')) {
            i++;
        }
        return i < to && bytes[i] == ':' ? i : -1;
    }

    /** True when the line is a header named {@code name} (lower case), blanks before the colon allowed. */
    private static boolean isNamed(byte[] bytes, int from, int to, String name) {
        if (to - from <= name.length()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            if (Character.toLowerCase((char) bytes[from + i]) != name.charAt(i)) {
                return false;
            }
        }
        int i = from + name.length();
        while (i < to && (bytes[i] == ' ' || bytes[i] == '\t')) {
            i++;
        }
        return i < to && bytes[i] == ':';
    }
}

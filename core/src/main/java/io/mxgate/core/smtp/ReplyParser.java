package io.mxgate.core.smtp;

import java.util.ArrayList;
import java.util.List;

/**
 * Assembles replies from a peer's lines ({@code 250-first}, {@code 250 last}), bounded in line count so a
 * misbehaving server cannot make us buffer without end. Feed lines without their CRLF.
 */
public final class ReplyParser {

    /** Postfix reads at most this many lines of one reply before it calls the reply malformed. */
    public static final int MAX_LINES = 100;

    private final List<String> texts = new ArrayList<>();
    private int code = -1;

    /**
     * Takes one line; returns the complete reply when this was its last line, null when more lines follow.
     *
     * @throws MalformedReplyException when the line is no reply line or breaks the reply's structure
     */
    public Reply accept(String line) {
        try {
            return take(line);
        } catch (MalformedReplyException e) {
            texts.clear();
            code = -1;
            throw e;
        }
    }

    private Reply take(String line) {
        if (line.length() < 3 || !isDigit(line.charAt(0)) || !isDigit(line.charAt(1)) || !isDigit(line.charAt(2))
                || (line.length() > 3 && line.charAt(3) != ' ' && line.charAt(3) != '-')) {
            throw new MalformedReplyException(line);
        }
        int lineCode = Integer.parseInt(line.substring(0, 3));
        if (lineCode < 200 || lineCode > 599 || (code >= 0 && lineCode != code)) {
            throw new MalformedReplyException(line);
        }
        boolean last = line.length() == 3 || line.charAt(3) == ' ';
        if (!last && texts.size() + 1 >= MAX_LINES) {
            throw new MalformedReplyException("more than " + MAX_LINES + " lines in one reply");
        }
        code = lineCode;
        texts.add(line.length() > 4 ? line.substring(4) : "");
        return last ? complete() : null;
    }

    private Reply complete() {
        EnhancedStatus status = null;
        List<String> lines = new ArrayList<>(texts.size());
        for (String text : texts) {
            int space = text.indexOf(' ');
            EnhancedStatus s = EnhancedStatus.parse(space < 0 ? text : text.substring(0, space));
            if (s != null && s.klass() == code / 100) {
                status = status == null ? s : status;
                text = space < 0 ? "" : text.substring(space + 1);
            }
            lines.add(text);
        }
        Reply reply = new Reply(code, status, lines);
        texts.clear();
        code = -1;
        return reply;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** A line that is not part of a well-formed reply. */
    public static final class MalformedReplyException extends RuntimeException {
        public MalformedReplyException(String line) {
            super("malformed reply: " + printable(line.length() > 80 ? line.substring(0, 80) + "..." : line));
        }

        /** A peer's bytes go into logs and DSNs: control and 8-bit characters become '?'. */
        private static String printable(String s) {
            return s.replaceAll("[^\\x20-\\x7e]", "?");
        }
    }
}

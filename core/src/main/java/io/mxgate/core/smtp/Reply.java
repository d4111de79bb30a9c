package io.mxgate.core.smtp;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One SMTP/LMTP reply: a code, an optional enhanced status and one or more text lines.
 * Replies the server sends are named constants in {@link Replies}; replies read from a peer are parsed with
 * {@link ReplyParser}.
 */
public record Reply(int code, EnhancedStatus status, List<String> lines) {

    public Reply {
        if (code < 200 || code > 599) {
            throw new IllegalArgumentException("reply code out of range: " + code);
        }
        lines = List.copyOf(lines);
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("a reply has at least one line");
        }
    }

    public static Reply of(int code, EnhancedStatus status, String text) {
        return new Reply(code, status, List.of(text));
    }

    public static Reply of(int code, String status, String text) {
        return new Reply(code, EnhancedStatus.parse(status), List.of(text));
    }

    public boolean isPositive() {
        return code < 400;
    }

    public boolean isTransient() {
        return code >= 400 && code < 500;
    }

    public boolean isPermanent() {
        return code >= 500;
    }

    /** The first line's text without code and enhanced status. */
    public String text() {
        return lines.get(0);
    }

    /** This reply with another text, keeping code and status. */
    public Reply withText(String text) {
        return new Reply(code, status, List.of(text));
    }

    /**
     * The reply as one line the way Postfix quotes it in logs and DSNs: {@code 550 5.1.1 <a@b>: User unknown}.
     * Multi-line replies are joined with a space.
     */
    public String oneLine() {
        StringBuilder sb = new StringBuilder().append(code);
        if (status != null) {
            sb.append(' ').append(status);
        }
        for (String line : lines) {
            sb.append(' ').append(line);
        }
        return sb.toString();
    }

    /** The wire form, every line terminated by CRLF, continuation lines marked with '-'. */
    public String wire() {
        StringBuilder sb = new StringBuilder(64);
        for (int i = 0; i < lines.size(); i++) {
            sb.append(code).append(i == lines.size() - 1 ? ' ' : '-');
            if (status != null) {
                sb.append(status).append(' ');
            }
            sb.append(lines.get(i)).append("\r\n");
        }
        return sb.toString();
    }

    public byte[] wireBytes() {
        return wire().getBytes(StandardCharsets.UTF_8);
    }
}

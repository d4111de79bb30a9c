package io.mxgate.core.table;

import io.mxgate.core.smtp.EnhancedStatus;

import java.util.Locale;

/**
 * The right-hand side of an access(5) table entry, or a policy server's {@code action=}, parsed once:
 * {@code OK}/{@code PERMIT}, {@code DUNNO}, {@code REJECT [text]}, {@code DEFER [text]}, {@code 4NN text},
 * {@code 5NN text}, {@code DEFER_IF_PERMIT text}, {@code DEFER_IF_REJECT text}, {@code PREPEND header: value}
 * (postgrey's answer once a triplet has waited), {@code WARN text} / {@code INFO text} (logged). Anything else is
 * {@link Kind#UNKNOWN}, which Postfix answers with a configuration error reply, never with an accept.
 */
public record AccessAction(Kind kind, int code, EnhancedStatus status, String text) {

    public enum Kind { PERMIT, DUNNO, REJECT, DEFER, DEFER_IF_PERMIT, DEFER_IF_REJECT, PREPEND, WARN, UNKNOWN }

    /** Postfix {@code access_map_reject_code} and {@code access_map_defer_code}. */
    public static final int REJECT_CODE = 554;
    public static final int DEFER_CODE = 450;

    public static AccessAction parse(String value) {
        String v = value.strip();
        String[] wordAndRest = v.split("\\s+", 2);
        String word = wordAndRest[0].toUpperCase(Locale.ROOT);
        String rest = wordAndRest.length < 2 ? "" : wordAndRest[1].strip();
        if (word.matches("[45][0-9][0-9]")) {
            int code = Integer.parseInt(word);
            return withStatus(code >= 500 ? Kind.REJECT : Kind.DEFER, code, rest);
        }
        return switch (word) {
            case "OK", "PERMIT" -> new AccessAction(Kind.PERMIT, 0, null, "");
            case "DUNNO" -> new AccessAction(Kind.DUNNO, 0, null, "");
            case "PREPEND" -> rest.matches("[\\x21-\\x39\\x3b-\\x7e]+:.*") ? new AccessAction(Kind.PREPEND, 0, null, rest)
                    : new AccessAction(Kind.UNKNOWN, 0, null, v);
            case "WARN", "INFO" -> new AccessAction(Kind.WARN, 0, null, rest);
            case "REJECT" -> withStatus(Kind.REJECT, REJECT_CODE, rest);
            case "DEFER", "DEFER_IF_PERMIT", "DEFER_IF_REJECT" -> withStatus(Kind.valueOf(word), DEFER_CODE, rest);
            default -> v.matches("[0-9]+")
                    ? new AccessAction(Kind.PERMIT, 0, null, "") // all-numeric: OK, as access(5) says
                    : new AccessAction(Kind.UNKNOWN, 0, null, v);
        };
    }

    /**
     * A leading {@code x.y.z} in the text is the enhanced status, its class forced to the reply code's (Postfix
     * turns {@code REJECT 4.7.2 text} into 5.7.2); else 4.7.1 / 5.7.1.
     */
    private static AccessAction withStatus(Kind kind, int code, String text) {
        String[] first = text.split("\\s+", 2);
        EnhancedStatus explicit = EnhancedStatus.parse(first[0]);
        if (explicit != null) {
            return new AccessAction(kind, code, explicit.withClassOf(code), first.length < 2 ? "" : first[1].strip());
        }
        return new AccessAction(kind, code, EnhancedStatus.of(code / 100, 7, 1), text);
    }

    /** The reply text, or Postfix's default {@code Access denied}. */
    public String textOr(String fallback) {
        return text.isEmpty() ? fallback : text;
    }
}

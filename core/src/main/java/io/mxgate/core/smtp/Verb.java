package io.mxgate.core.smtp;

import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The SMTP verbs the ingress knows, with the flags the session loop checks in one place (as Postfix's
 * {@code smtpd_cmd_table}): whether HELO/EHLO must come first, and whether RFC 2920 allows the verb only last
 * in a pipelined group (the loop flushes replies and stops reading ahead after such a verb).
 */
public enum Verb {
    HELO(false, true),
    EHLO(false, true),
    MAIL(true, false),
    RCPT(true, false),
    DATA(true, true),
    RSET(false, false),
    NOOP(false, true),
    QUIT(false, true),
    VRFY(false, true),
    STARTTLS(false, true),
    AUTH(true, true);

    private static final Map<String, Verb> BY_NAME =
            Stream.of(values()).collect(Collectors.toUnmodifiableMap(Enum::name, Function.identity()));

    private final boolean needsHelo;
    private final boolean lastInGroup;

    Verb(boolean needsHelo, boolean lastInGroup) {
        this.needsHelo = needsHelo;
        this.lastInGroup = lastInGroup;
    }

    public boolean needsHelo() {
        return needsHelo;
    }

    public boolean lastInGroup() {
        return lastInGroup;
    }

    /** The verb for a command word, case-insensitive; null when unknown. */
    public static Verb lookup(String word) {
        return BY_NAME.get(word.toUpperCase(Locale.ROOT));
    }
}

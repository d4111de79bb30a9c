package io.mxgate.ingress.session;

import io.mxgate.ingress.IngressConfig;

/** The bounds one SMTP session runs under, read once from the configuration. */
public record SessionLimits(String myhostname, int lineLengthLimit, long messageSizeLimit, int headerSizeLimit,
                            int hopcountLimit, int recipientLimit,
                            long timeoutMillis, int hardErrorLimit, boolean heloRequired, boolean forbidUnauthPipelining,
                            long minDataRate, boolean rejectBareNewline) {

    public static SessionLimits from(IngressConfig c) {
        return new SessionLimits(c.myhostname(), c.lineLengthLimit(), c.messageSizeLimit(), c.headerSizeLimit(),
                c.hopcountLimit(), c.smtpdRecipientLimit(),
                c.smtpdTimeout().toMillis(), c.smtpdHardErrorLimit(), c.smtpdHeloRequired(),
                c.smtpdForbidUnauthPipelining(), c.smtpdMinDataRate(), bareNewline(c.smtpdForbidBareNewline()));
    }

    private static boolean bareNewline(String mode) {
        return switch (mode) {
            case "reject" -> true;
            case "normalize", "no" -> false;
            default -> throw new IllegalArgumentException(
                    "mxgate.smtpd-forbid-bare-newline: expected normalize or reject, got \"" + mode + "\"");
        };
    }
}

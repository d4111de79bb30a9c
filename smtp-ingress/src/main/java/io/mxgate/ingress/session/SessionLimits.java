package io.mxgate.ingress.session;

import io.mxgate.ingress.IngressConfig;

/** The bounds one SMTP session runs under, read once from the configuration. */
public record SessionLimits(String myhostname, int lineLengthLimit, long messageSizeLimit, int recipientLimit,
                            long timeoutMillis, int hardErrorLimit, boolean heloRequired) {

    public static SessionLimits from(IngressConfig c) {
        return new SessionLimits(c.myhostname(), c.lineLengthLimit(), c.messageSizeLimit(), c.smtpdRecipientLimit(),
                c.smtpdTimeout().toMillis(), c.smtpdHardErrorLimit(), c.smtpdHeloRequired());
    }
}

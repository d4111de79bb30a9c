package io.mxgate.core.delivery;

import io.mxgate.core.address.MailAddress;
import io.mxgate.core.client.ClientException;
import io.mxgate.core.client.RecipientOutcome;
import io.mxgate.core.smtp.EnhancedStatus;

/**
 * The outcome of one delivery attempt for one recipient, in the terms Postfix logs and puts into DSNs:
 * {@code status=sent|deferred|bounced}, a {@code dsn=} code and the reason text.
 */
public record RecipientResult(MailAddress recipient, Status status, EnhancedStatus dsn, String reason) {

    public enum Status {
        SENT, DEFERRED, BOUNCED;

        /** Postfix's word in {@code status=}. */
        public String logWord() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** Postfix's word in {@code status=} for an address probe. */
        public String probeWord() {
            return this == SENT ? "deliverable" : "undeliverable";
        }
    }

    /**
     * From what the server said: 2xx sent (reason is the reply), 4xx deferred, 5xx bounced (reason names the host,
     * {@code peer} is its {@code name[address]}).
     */
    public static RecipientResult of(RecipientOutcome outcome, String peer) {
        var reply = outcome.reply();
        Status status = reply.isPositive() ? Status.SENT : reply.isTransient() ? Status.DEFERRED : Status.BOUNCED;
        EnhancedStatus dsn = reply.status() != null ? reply.status()
                : EnhancedStatus.of(reply.code() / 100, 0, 0);
        String reason = status == Status.SENT ? reply.oneLine() : outcome.detail(peer);
        return new RecipientResult(outcome.recipient(), status, dsn, reason);
    }

    /** A conversation that broke off: always deferred, as Postfix does (4.4.1 connect, 4.4.2 otherwise). */
    public static RecipientResult deferred(MailAddress recipient, ClientException e) {
        return new RecipientResult(recipient, Status.DEFERRED, e.dsn(), e.getMessage());
    }
}

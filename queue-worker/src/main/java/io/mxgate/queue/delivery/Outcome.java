package io.mxgate.queue.delivery;

import io.mxgate.core.delivery.RecipientResult;
import io.mxgate.core.dsn.RecipientStatus;

/** One recipient after one delivery attempt: sent, deferred (stays queued) or bounced (DSN), and why. */
public record Outcome(RecipientStatus status, RecipientResult.Status kind) {

    public static Outcome sent(RecipientStatus s) {
        return new Outcome(s, RecipientResult.Status.SENT);
    }

    public static Outcome deferred(RecipientStatus s) {
        return new Outcome(s, RecipientResult.Status.DEFERRED);
    }

    public static Outcome bounced(RecipientStatus s) {
        return new Outcome(s, RecipientResult.Status.BOUNCED);
    }
}

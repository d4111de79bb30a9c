package io.mxgate.queue;

import io.mxgate.core.delivery.RecipientResult;
import io.mxgate.core.dsn.RecipientStatus;

/**
 * One recipient after one delivery attempt, whichever agent made it (smtp, lmtp, error, discard): sent, deferred
 * (it stays queued) or bounced (a DSN), each with what is known of it ({@link RecipientStatus}: the DSN status,
 * Postfix's reason, the server's reply).
 */
public sealed interface Outcome {

    RecipientStatus status();

    /** Postfix's {@code status=} of the log line. */
    RecipientResult.Status kind();

    record Sent(RecipientStatus status) implements Outcome {
        public RecipientResult.Status kind() {
            return RecipientResult.Status.SENT;
        }
    }

    record Deferred(RecipientStatus status) implements Outcome {
        public RecipientResult.Status kind() {
            return RecipientResult.Status.DEFERRED;
        }
    }

    record Bounced(RecipientStatus status) implements Outcome {
        public RecipientResult.Status kind() {
            return RecipientResult.Status.BOUNCED;
        }
    }

    static Outcome of(RecipientResult.Status kind, RecipientStatus status) {
        return switch (kind) {
            case SENT -> new Sent(status);
            case DEFERRED -> new Deferred(status);
            case BOUNCED -> new Bounced(status);
        };
    }

    /** What the delivery log line says of the recipient. */
    default RecipientResult result() {
        return new RecipientResult(status().recipient(), kind(), status().dsn(), status().reason());
    }
}

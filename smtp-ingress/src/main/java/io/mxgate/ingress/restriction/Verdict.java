package io.mxgate.ingress.restriction;

import io.mxgate.core.smtp.Reply;

/**
 * What one restriction says: PERMIT or REJECT end the list; DUNNO passes to the next; DEFER_IF_PERMIT and
 * DEFER_IF_REJECT carry a 4xx reply that takes effect only if a later restriction permits (or rejects).
 * A DUNNO may carry a header to prepend to the message ({@code prepend}, else null).
 */
public record Verdict(Kind kind, Reply reply, String prepend) {

    public Verdict(Kind kind, Reply reply) {
        this(kind, reply, null);
    }

    public enum Kind { PERMIT, DUNNO, REJECT, DEFER_IF_PERMIT, DEFER_IF_REJECT }

    public static final Verdict PERMIT = new Verdict(Kind.PERMIT, null);
    public static final Verdict DUNNO = new Verdict(Kind.DUNNO, null);

    public static Verdict reject(Reply reply) {
        return new Verdict(Kind.REJECT, reply);
    }
}

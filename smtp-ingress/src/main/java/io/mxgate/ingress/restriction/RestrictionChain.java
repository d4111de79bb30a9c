package io.mxgate.ingress.restriction;

import io.mxgate.core.smtp.Reply;
import io.vertx.core.Future;

import java.util.List;

/**
 * Evaluates Postfix's RCPT-time lists in order: {@code smtpd_relay_restrictions}, then
 * {@code smtpd_recipient_restrictions}. In each list the first PERMIT or REJECT ends the list, and running off
 * its end is an implicit PERMIT; a REJECT in any list rejects. DEFER_IF_PERMIT is remembered and turns the final
 * PERMIT into its 4xx; DEFER_IF_REJECT turns a later 5xx REJECT into its 4xx.
 */
public final class RestrictionChain {

    private final List<List<Restriction>> lists;

    public RestrictionChain(List<Restriction> relay, List<Restriction> recipient) {
        this.lists = List.of(List.copyOf(relay), List.copyOf(recipient));
    }

    /** The result: {@code reject} is null when the recipient is accepted; headers to prepend to the message. */
    public record Outcome(Reply reject, List<String> prepend) {
    }

    public Future<Outcome> evaluate(RcptContext rcpt) {
        Pending pending = new Pending();
        return step(rcpt, 0, 0, pending).map(reject -> new Outcome(reject, List.copyOf(pending.prepend)));
    }

    /** The deferrals and headers seen so far in this evaluation. */
    private static final class Pending {
        Reply ifPermit;
        Reply ifReject;
        final List<String> prepend = new java.util.ArrayList<>();
    }

    private Future<Reply> step(RcptContext rcpt, int list, int index, Pending pending) {
        if (list == lists.size()) {
            return Future.succeededFuture(pending.ifPermit);
        }
        List<Restriction> current = lists.get(list);
        if (index == current.size()) {
            return step(rcpt, list + 1, 0, pending);
        }
        return current.get(index).check(rcpt).compose(v -> switch (v.kind()) {
            case PERMIT -> step(rcpt, list + 1, 0, pending);
            case REJECT -> Future.succeededFuture(pending.ifReject != null && v.reply().isPermanent()
                    ? pending.ifReject : v.reply());
            case DEFER_IF_PERMIT -> {
                if (pending.ifPermit == null) {
                    pending.ifPermit = v.reply();
                }
                yield step(rcpt, list, index + 1, pending);
            }
            case DEFER_IF_REJECT -> {
                if (pending.ifReject == null) {
                    pending.ifReject = v.reply();
                }
                yield step(rcpt, list, index + 1, pending);
            }
            case DUNNO -> {
                if (v.prepend() != null) {
                    pending.prepend.add(v.prepend());
                }
                yield step(rcpt, list, index + 1, pending);
            }
        });
    }
}

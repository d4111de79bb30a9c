package io.mxgate.ingress.policy;

import io.mxgate.core.address.MailAddress;
import io.mxgate.core.smtp.Reply;
import io.mxgate.ingress.IngressConfig;
import io.mxgate.ingress.verify.VerifierClient;
import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Postfix's {@code smtpd_recipient_restrictions}: an ordered list evaluated per recipient after
 * reject_unauth_destination; the first restriction with a verdict decides, and running off the end accepts.
 * A name this build does not know stops the start with a message naming it.
 */
public final class RecipientRestrictions {

    /** A verdict: {@code reject} is null for PERMIT; an absent verdict (null future value) means DUNNO. */
    public record Verdict(Reply reject) {
        static final Verdict PERMIT = new Verdict(null);
    }

    private final List<Function<MailAddress, Future<Verdict>>> chain;
    private final VerifierClient verifier;
    private final UnverifiedRecipientReplies unverified;
    private final MailAddress verifySender;

    public RecipientRestrictions(IngressConfig config, VerifierClient verifier) {
        this.verifier = verifier;
        this.unverified = new UnverifiedRecipientReplies(config.unverifiedRecipientRejectCode(),
                config.unverifiedRecipientDeferCode(), config.unverifiedRecipientRejectReason());
        this.verifySender = MailAddress.qualified(config.addressVerifySender(), config.myhostname());
        this.chain = new ArrayList<>();
        for (String name : config.smtpdRecipientRestrictions().split("[,\\s]+")) {
            switch (name.toLowerCase(Locale.ROOT)) {
                case "" -> { }
                case "reject_unverified_recipient" -> chain.add(this::rejectUnverifiedRecipient);
                case "permit" -> chain.add(r -> Future.succeededFuture(Verdict.PERMIT));
                // Always applied before this list (smtpd_relay_restrictions); naming it again changes nothing.
                case "reject_unauth_destination" -> { }
                default -> throw new IllegalArgumentException("mxgate.smtpd-recipient-restrictions: unknown restriction \""
                        + name + "\" (this build knows reject_unverified_recipient, reject_unauth_destination, permit)");
            }
        }
    }

    /** Runs the list for one recipient; the future's verdict is PERMIT (accept) or a reject reply. */
    public Future<Verdict> check(MailAddress recipient) {
        return step(recipient, 0);
    }

    private Future<Verdict> step(MailAddress recipient, int index) {
        if (index >= chain.size()) {
            return Future.succeededFuture(Verdict.PERMIT);
        }
        return chain.get(index).apply(recipient)
                .compose(v -> v != null ? Future.succeededFuture(v) : step(recipient, index + 1));
    }

    /** Postfix's reject_unverified_recipient: never permits; see {@link UnverifiedRecipientReplies}. */
    private Future<Verdict> rejectUnverifiedRecipient(MailAddress recipient) {
        if (recipient.equals(verifySender)) {
            return Future.succeededFuture(null);
        }
        return verifier.verify(recipient)
                .map(answer -> {
                    Reply reject = unverified.forAnswer(recipient, answer);
                    return reject == null ? null : new Verdict(reject);
                })
                .otherwise(e -> new Verdict(unverified.problem(recipient)));
    }
}

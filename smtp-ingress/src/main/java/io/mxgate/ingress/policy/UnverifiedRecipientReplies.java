package io.mxgate.ingress.policy;

import io.mxgate.core.address.MailAddress;
import io.mxgate.core.smtp.EnhancedStatus;
import io.mxgate.core.smtp.Replies;
import io.mxgate.core.smtp.Reply;
import io.mxgate.core.verify.VerifyAnswer;

import java.util.Optional;

/**
 * The replies of Postfix's reject_unverified_recipient: a bounced address gets
 * {@code unverified_recipient_reject_code} (any 4xx or 5xx; the enhanced status follows its class), a deferred or
 * pending one {@code unverified_recipient_defer_code}, and a verifier that cannot be asked a 450, never a 5xx and
 * never an accept. {@code unverified_recipient_reject_reason} replaces the next hop's text when set. As in
 * smtpd_check.c's check_verify, a 4xx says "unverified address" and a 5xx "undeliverable address".
 */
public record UnverifiedRecipientReplies(int rejectCode, int deferCode, Optional<String> rejectReason) {

    private static final EnhancedStatus UNVERIFIED = EnhancedStatus.of(5, 1, 1);
    static final int PROBLEM_CODE = 450;

    public UnverifiedRecipientReplies {
        if (rejectCode < 400 || rejectCode > 599) {
            throw new IllegalArgumentException("mxgate.unverified-recipient-reject-code must be 4xx or 5xx: " + rejectCode);
        }
        if (deferCode < 400 || deferCode > 499) {
            throw new IllegalArgumentException("mxgate.unverified-recipient-defer-code must be 4xx: " + deferCode);
        }
    }

    /** The reject reply for an answer, or null when the address was verified (DUNNO: later rules decide). */
    public Reply forAnswer(MailAddress recipient, VerifyAnswer answer) {
        return switch (answer.status()) {
            case OK -> null;
            case BOUNCE -> Replies.recipientRejected(rejectCode, UNVERIFIED, recipient,
                    (rejectCode < 500 ? "unverified address: " : "undeliverable address: ")
                            + rejectReason.filter(r -> !r.isBlank()).orElse(answer.text()));
            case DEFER, TODO -> Replies.recipientRejected(deferCode, UNVERIFIED, recipient,
                    "unverified address: " + answer.text());
        };
    }

    /** The verifier or its cache could not be reached. */
    public Reply problem(MailAddress recipient) {
        return Replies.recipientRejected(PROBLEM_CODE, UNVERIFIED, recipient, "address verification problem");
    }
}

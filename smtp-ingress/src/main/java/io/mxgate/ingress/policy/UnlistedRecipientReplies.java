package io.mxgate.ingress.policy;

import io.mxgate.core.address.MailAddress;
import io.mxgate.core.domain.AddressClass;
import io.mxgate.core.routing.RecipientResolver;
import io.mxgate.core.smtp.EnhancedStatus;
import io.mxgate.core.smtp.Replies;
import io.mxgate.core.smtp.Reply;

/**
 * The replies of Postfix's {@code smtpd_reject_unlisted_recipient} (smtpd_check.c, check_rcpt_maps), applied after
 * the restriction lists: {@code 550 5.1.1 <x@d>: Recipient address rejected: User unknown in virtual alias table}
 * ({@code unknown_virtual_alias_reject_code}) or {@code ... in virtual mailbox table}
 * ({@code unknown_virtual_mailbox_reject_code}) or {@code ... in relay recipient table}
 * ({@code unknown_relay_recipient_reject_code}); a table that cannot answer gets {@code 451 4.3.0 <x@d>: Temporary
 * lookup failure}.
 *
 * @param enabled Postfix {@code smtpd_reject_unlisted_recipient}
 */
public record UnlistedRecipientReplies(boolean enabled, int aliasCode, int mailboxCode, int relayCode) {

    private static final EnhancedStatus UNKNOWN_USER = EnhancedStatus.of(5, 1, 1);

    public UnlistedRecipientReplies {
        for (int code : new int[] {aliasCode, mailboxCode, relayCode}) {
            if (code < 400 || code > 599) {
                throw new IllegalArgumentException("mxgate.unknown-virtual-*-reject-code must be 4xx or 5xx: " + code);
            }
        }
    }

    /** The reject reply for a listing, or null when the address is listed. */
    public Reply forListing(MailAddress recipient, RecipientResolver.Listing listing) {
        if (listing instanceof RecipientResolver.Listing.Unknown u) {
            int code = switch (u.addressClass()) {
                case VIRTUAL_ALIAS -> aliasCode;
                case RELAY -> relayCode;
                default -> mailboxCode;
            };
            return Replies.recipientRejected(code, UNKNOWN_USER, recipient, u.text());
        }
        return listing instanceof RecipientResolver.Listing.Failed ? Replies.temporaryLookupFailure(recipient) : null;
    }
}

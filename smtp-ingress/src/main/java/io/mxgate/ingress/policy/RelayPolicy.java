package io.mxgate.ingress.policy;

import io.mxgate.core.address.MailAddress;
import io.mxgate.core.domain.AddressClass;
import io.mxgate.core.domain.DomainClasses;
import io.mxgate.core.smtp.Replies;
import io.mxgate.core.smtp.Reply;

/**
 * Postfix's {@code reject_unauth_destination}: a recipient is accepted only when its domain is one of ours
 * (relay, virtual mailbox or virtual alias domain) and its local part does not ask for sender-specified routing
 * ({@code allow_untrusted_routing = no}). Every path that accepts a recipient passes through here.
 */
public final class RelayPolicy {

    private final DomainClasses domains;

    public RelayPolicy(DomainClasses domains) {
        this.domains = domains;
    }

    /** The address class of an acceptable recipient, or a reject reply. */
    public Decision check(MailAddress recipient) {
        AddressClass c = domains.classify(recipient.domain());
        if (!c.isLocalDestination() || recipient.hasSenderSpecifiedRouting()) {
            return new Decision(c, Replies.relayAccessDenied(recipient));
        }
        return new Decision(c, null);
    }

    /** {@code reject} is null when the recipient may be accepted. */
    public record Decision(AddressClass addressClass, Reply reject) {
    }
}

package io.mxgate.core.domain;

/**
 * Postfix's address classes (ADDRESS_CLASS_README) for the domains an MX serves. A domain belongs to one class
 * only; every other domain is {@link #FOREIGN} and is relayed for nobody but trusted clients.
 */
public enum AddressClass {
    /** {@code relay_domains}: accepted and forwarded through {@code relay_transport} / transport_maps. */
    RELAY,
    /** {@code virtual_mailbox_domains}: delivered through {@code virtual_transport} (LMTP to Dovecot). */
    VIRTUAL_MAILBOX,
    /** {@code virtual_alias_domains}: every address is rewritten by {@code virtual_alias_maps}. */
    VIRTUAL_ALIAS,
    /** Any other domain: reject_unauth_destination refuses it. */
    FOREIGN;

    /** True for every class we accept mail for from strangers (reject_unauth_destination lets it pass). */
    public boolean isLocalDestination() {
        return this != FOREIGN;
    }
}

package io.mxgate.core.address;

import java.util.Locale;

/**
 * An envelope address {@code local@domain}. The local part keeps its case and quoting as sent; the domain is
 * lower-cased because every table lookup is case-insensitive on it. The null sender {@code <>} is
 * {@link #NULL_SENDER}.
 */
public record MailAddress(String localPart, String domain) {

    public static final MailAddress NULL_SENDER = new MailAddress("", "");

    public MailAddress {
        domain = domain.toLowerCase(Locale.ROOT);
    }

    /**
     * An address from a configuration value such as Postfix's {@code address_verify_sender}: a bare local part is
     * qualified with {@code domain} (Postfix appends {@code $myorigin}); empty or {@code <>} is the null sender.
     */
    public static MailAddress qualified(String address, String domain) {
        if (address.isEmpty() || address.equals("<>")) {
            return NULL_SENDER;
        }
        int at = address.lastIndexOf('@');
        return at < 0 ? new MailAddress(address, domain) : new MailAddress(address.substring(0, at), address.substring(at + 1));
    }

    public boolean isNullSender() {
        return localPart.isEmpty() && domain.isEmpty();
    }

    /**
     * True when the local part asks for routing by the sender ({@code user%host}, {@code host!user} or an
     * {@code @} inside quotes): Postfix with {@code allow_untrusted_routing = no} never relays such addresses.
     */
    public boolean hasSenderSpecifiedRouting() {
        return localPart.indexOf('%') >= 0 || localPart.indexOf('!') >= 0 || localPart.indexOf('@') >= 0;
    }

    /** {@code local@domain}, or the empty string for the null sender. */
    @Override
    public String toString() {
        return isNullSender() ? "" : localPart + "@" + domain;
    }

    /** {@code <local@domain>}, as Postfix writes addresses in replies and logs. */
    public String bracketed() {
        return "<" + this + ">";
    }
}

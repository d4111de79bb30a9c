package io.mxgate.core.table;

import io.mxgate.core.address.MailAddress;

import java.util.ArrayList;
import java.util.List;

/**
 * The keys access(5) tries, in order, for the things smtpd looks up. Postfix's default
 * {@code parent_domain_matches_subdomains} leaves smtpd_access_maps out, so parent domains are tried in
 * {@code .domain} form.
 */
public final class AccessKeys {

    private AccessKeys() {
    }

    /** {@code user@domain}, {@code domain}, {@code .parent} domains, then {@code user@}. */
    public static List<String> forAddress(MailAddress a) {
        List<String> keys = new ArrayList<>();
        keys.add(a.toString());
        keys.addAll(forDomain(a.domain()));
        keys.add(a.localPart() + "@");
        return keys;
    }

    /** {@code sub.example.com}, {@code .example.com}, {@code .com}. */
    public static List<String> forDomain(String domain) {
        List<String> keys = new ArrayList<>();
        keys.add(domain);
        for (int dot = domain.indexOf('.'); dot >= 0; dot = domain.indexOf('.', dot + 1)) {
            keys.add(domain.substring(dot));
        }
        return keys;
    }

    /** {@code 192.0.2.5}, {@code 192.0.2}, {@code 192.0}, {@code 192} (IPv6: the address only). */
    public static List<String> forClientAddress(String address) {
        List<String> keys = new ArrayList<>();
        keys.add(address);
        if (address.indexOf(':') < 0) {
            for (int dot = address.lastIndexOf('.'); dot > 0; dot = address.lastIndexOf('.', dot - 1)) {
                keys.add(address.substring(0, dot));
            }
        }
        return keys;
    }
}

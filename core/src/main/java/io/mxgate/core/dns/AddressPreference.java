package io.mxgate.core.dns;

import java.util.Locale;

/**
 * Postfix's {@code smtp_address_preference}: which family is tried first among addresses of equal MX preference
 * when a destination has both. {@code any} (the default) leaves the order to chance, as Postfix's randomized
 * equal-preference addresses do, so that either family's failure is found out and the other one tried.
 */
public enum AddressPreference {
    ANY, IPV4, IPV6;

    public static AddressPreference parse(String value) {
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "any" -> ANY;
            case "ipv4" -> IPV4;
            case "ipv6" -> IPV6;
            default -> throw new IllegalArgumentException("smtp_address_preference: \"" + value.strip()
                    + "\" is not any, ipv4 or ipv6");
        };
    }
}

package io.mxgate.core.dns;

import java.util.Locale;

/**
 * Postfix's {@code inet_protocols}: the address families the SMTP client looks up (A, AAAA) and connects to.
 *
 * @param ipv4 A records are looked up
 * @param ipv6 AAAA records are looked up
 */
public record InetProtocols(boolean ipv4, boolean ipv6) {

    public static final InetProtocols ALL = new InetProtocols(true, true);

    public InetProtocols {
        if (!ipv4 && !ipv6) {
            throw new IllegalArgumentException("inet_protocols names no protocol");
        }
    }

    /** Parses {@code all}, {@code ipv4}, {@code ipv6} or a list of the last two (commas or whitespace). */
    public static InetProtocols parse(String list) {
        boolean v4 = false;
        boolean v6 = false;
        for (String w : list.strip().toLowerCase(Locale.ROOT).split("[,\\s]+")) {
            switch (w) {
                case "all" -> {
                    v4 = true;
                    v6 = true;
                }
                case "ipv4" -> v4 = true;
                case "ipv6" -> v6 = true;
                case "" -> { }
                default -> throw new IllegalArgumentException("inet_protocols: unknown protocol \"" + w
                        + "\" (all, ipv4, ipv6)");
            }
        }
        return new InetProtocols(v4, v6);
    }

    /** True for an IPv6 literal (it has a colon; names and IPv4 addresses have none). */
    public static boolean isIpv6Literal(String host) {
        return host.indexOf(':') >= 0;
    }
}

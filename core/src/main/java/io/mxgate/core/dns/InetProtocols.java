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

    /**
     * An address as Postfix prints it (inet_ntop): IPv4 as it is, IPv6 in RFC 5952's form (lower-case hex, leading
     * zeros dropped, the longest run of two or more zero groups, the first of equals, written {@code ::}). Vert.x and
     * the JDK give every group ({@code 2001:db8:0:0:0:0:0:6}, {@code 0:0:0:0:0:0:0:1}).
     */
    public static String printable(String literal) {
        if (!isIpv6Literal(literal)) {
            return literal;
        }
        byte[] b;
        try {
            b = java.net.InetAddress.getByName(literal).getAddress();
        } catch (java.net.UnknownHostException e) {
            return literal;
        }
        if (b.length != 16) {
            return literal;
        }
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.append("::");
                i += bestLen - 1;
                continue;
            }
            if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(Integer.toHexString(g[i]));
        }
        return out.toString();
    }
}

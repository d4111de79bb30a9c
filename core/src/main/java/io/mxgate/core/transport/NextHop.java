package io.mxgate.core.transport;

import java.util.Locale;

/**
 * A transport and next hop as transport(5) writes them: {@code lmtp:[127.0.0.1]:2424}, {@code smtp:[10.0.0.20]:25},
 * {@code smtp:mx.example} (brackets suppress the MX lookup, as in Postfix).
 *
 * @param transport  {@code lmtp}, {@code smtp} or {@code relay}
 * @param host       host name or address without brackets
 * @param port       TCP port; the transport's default when the next hop names none
 * @param mxLookup   false when the host was written in brackets, and always for LMTP
 */
public record NextHop(String transport, String host, int port, boolean mxLookup) {

    /** Parses {@code transport:nexthop}; throws IllegalArgumentException with the offending text. */
    public static NextHop parse(String spec) {
        return parse(spec, -1);
    }

    /**
     * The same, with the port a next hop without one gets ({@code smtp_tcp_port} / {@code lmtp_tcp_port});
     * {@code defaultPort < 1} means the transport's standard port (25, or 24 for LMTP).
     */
    public static NextHop parse(String spec, int defaultPort) {
        int colon = spec.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("expected transport:nexthop, got \"" + spec + "\"");
        }
        String transport = spec.substring(0, colon).toLowerCase(Locale.ROOT);
        if (!transport.equals("lmtp") && !transport.equals("smtp") && !transport.equals("relay")) {
            throw new IllegalArgumentException("unsupported transport \"" + transport + "\" in \"" + spec + "\"");
        }
        String hop = spec.substring(colon + 1);
        if (hop.startsWith("inet:")) {
            hop = hop.substring("inet:".length());
        }
        boolean bracketed = hop.startsWith("[");
        String host;
        String rest;
        if (bracketed) {
            int close = hop.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("unbalanced [ in \"" + spec + "\"");
            }
            host = hop.substring(1, close);
            rest = hop.substring(close + 1);
        } else {
            int portColon = hop.lastIndexOf(':');
            host = portColon < 0 ? hop : hop.substring(0, portColon);
            rest = portColon < 0 ? "" : hop.substring(portColon);
        }
        int port = defaultPort > 0 ? defaultPort : transport.equals("lmtp") ? 24 : 25;
        if (!rest.isEmpty()) {
            if (!rest.startsWith(":")) {
                throw new IllegalArgumentException("bad next hop \"" + spec + "\"");
            }
            try {
                port = Integer.parseInt(rest.substring(1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad port in \"" + spec + "\"");
            }
        }
        if (host.isEmpty() || port < 1 || port > 65535) {
            throw new IllegalArgumentException("bad next hop \"" + spec + "\"");
        }
        // Postfix never looks up MX records for LMTP next hops.
        return new NextHop(transport, host.toLowerCase(Locale.ROOT), port, !bracketed && !transport.equals("lmtp"));
    }

    /** Postfix's {@code relay=} form for logs once connected: {@code host[address]:port}. */
    public String relay(String address) {
        return host + "[" + address + "]:" + port;
    }

    @Override
    public String toString() {
        return transport + ":" + (mxLookup ? host : "[" + host + "]") + ":" + port;
    }
}

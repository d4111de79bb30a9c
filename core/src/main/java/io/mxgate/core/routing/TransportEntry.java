package io.mxgate.core.routing;

/**
 * The right-hand side of a transport(5) entry, {@code transport:nexthop}, split at the first colon. Either part may
 * be empty: {@code :} keeps the default of the address class, {@code smtp:} resets the next hop to the recipient
 * domain, {@code :[gateway]} keeps the transport and changes the next hop.
 */
public record TransportEntry(String transport, String nexthop) {

    public static TransportEntry parse(String value) {
        String v = value.strip();
        int colon = v.indexOf(':');
        return colon < 0 ? new TransportEntry(v, "") : new TransportEntry(v.substring(0, colon).strip(),
                v.substring(colon + 1).strip());
    }

    @Override
    public String toString() {
        return transport + ":" + nexthop;
    }
}

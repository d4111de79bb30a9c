package io.mxgate.core.routing;

import io.mxgate.core.address.MailAddress;
import io.mxgate.core.domain.AddressClass;
import io.mxgate.core.smtp.EnhancedStatus;
import io.vertx.core.Future;
import io.mxgate.core.transport.NextHop;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * trivial-rewrite's resolve(): recipient to route. Follows resolve.c and transport.c:
 * <ol>
 *   <li>address class: {@code virtual_alias_domains} (no alias was found, so: {@code error:User unknown in virtual
 *       alias table}, which transport_maps cannot override), {@code virtual_mailbox_domains} ({@code
 *       virtual_transport}, next hop the domain), {@code relay_domains} ({@code relay_transport}) or anything else
 *       ({@code default_transport}); for these two {@code relayhost} replaces the recipient domain as next hop;</li>
 *   <li>a next hop written into the class's transport setting ({@code relay_transport = relay:[gw]}) wins;</li>
 *   <li>transport_maps: an empty transport keeps the transport and changes only a non-empty next hop; a transport
 *       without next hop resets the next hop to the recipient domain (for {@code error}: "Address is
 *       undeliverable").</li>
 * </ol>
 */
public final class Resolver {

    /** Settings, in Postfix's names. */
    public record Settings(String virtualTransport, String relayTransport,
                           String defaultTransport, String relayhost, int smtpTcpPort, int lmtpTcpPort) {
    }

    private static final EnhancedStatus UNKNOWN_USER = EnhancedStatus.of(5, 1, 1);
    private static final EnhancedStatus ERROR_DEFAULT = EnhancedStatus.of(5, 0, 0);
    private static final EnhancedStatus RETRY_DEFAULT = EnhancedStatus.of(4, 0, 0);
    private static final EnhancedStatus UNAVAILABLE = EnhancedStatus.of(4, 3, 0);

    private final Settings settings;
    private final TransportMaps transportMaps;

    public Resolver(Settings settings, TransportMaps transportMaps) {
        this.settings = settings;
        this.transportMaps = transportMaps;
        // Fail at startup, not per message, when a main.cf-style setting cannot be parsed.
        for (String t : List.of(settings.virtualTransport(), settings.relayTransport(), settings.defaultTransport())) {
            if (TransportEntry.parse(t).transport().isEmpty()) {
                throw new IllegalArgumentException("null transport is not allowed: \"" + t + "\"");
            }
        }
        if (!settings.relayhost().isBlank()) {
            destinations("smtp", settings.relayhost());
        }
    }

    /** The route of an address whose class is known (aliases were expanded before); fails never: see Route.Defer. */
    public Future<Route> resolve(MailAddress recipient, AddressClass c) {
        String domain = recipient.domain();
        if (c == AddressClass.VIRTUAL_ALIAS) {
            return Future.succeededFuture(new Route.Bounce(UNKNOWN_USER, "User unknown in virtual alias table"));
        }
        String channel;
        String nexthop;
        switch (c) {
            case VIRTUAL_MAILBOX -> {
                channel = settings.virtualTransport();
                nexthop = domain;
            }
            case RELAY -> {
                channel = settings.relayTransport();
                nexthop = settings.relayhost().isBlank() ? domain : settings.relayhost();
            }
            default -> {
                channel = settings.defaultTransport();
                nexthop = settings.relayhost().isBlank() ? domain : settings.relayhost();
            }
        }
        TransportEntry own = TransportEntry.parse(channel);
        String ownChannel = own.transport();
        String ownNexthop = own.nexthop().isEmpty() ? nexthop : own.nexthop();
        return transportMaps.lookup(recipient).transform(ar -> {
            if (ar.failed()) {
                return Future.succeededFuture(new Route.Defer(UNAVAILABLE, "transport_maps lookup failure"));
            }
            String ch = ownChannel;
            String hop = ownNexthop;
            if (ar.result().isPresent()) {
                TransportEntry e = ar.result().get().entry();
                if (e.transport().isEmpty()) {
                    if (!e.nexthop().isEmpty()) {
                        hop = e.nexthop();
                    }
                } else {
                    ch = e.transport();
                    hop = !e.nexthop().isEmpty() ? e.nexthop()
                            : ch.equalsIgnoreCase("error") ? "Address is undeliverable" : domain;
                }
            }
            return Future.succeededFuture(route(ch.toLowerCase(Locale.ROOT), hop));
        });
    }

    private Route route(String transport, String nexthop) {
        switch (transport) {
            case "error" -> {
                return new Route.Bounce(status(nexthop, ERROR_DEFAULT), text(nexthop));
            }
            case "retry" -> {
                return new Route.Defer(status(nexthop, RETRY_DEFAULT), text(nexthop));
            }
            case "discard" -> {
                return new Route.Discard(nexthop);
            }
            case "smtp", "relay", "lmtp" -> {
                try {
                    return new Route.Deliver(transport, destinations(transport, nexthop), transport.equals("smtp"));
                } catch (IllegalArgumentException e) {
                    return new Route.Defer(UNAVAILABLE, "bad next hop: " + e.getMessage());
                }
            }
            default -> {
                return new Route.Defer(UNAVAILABLE, "mail transport unavailable");
            }
        }
    }

    /** A next-hop list ({@code relayhost} may name several, separated by commas or whitespace). */
    List<NextHop> destinations(String transport, String nexthop) {
        String protocol = transport.equals("relay") ? "smtp" : transport;
        int port = protocol.equals("lmtp") ? settings.lmtpTcpPort() : settings.smtpTcpPort();
        List<NextHop> out = new ArrayList<>();
        for (String d : nexthop.strip().split("[,\\s]+")) {
            if (!d.isEmpty()) {
                NextHop h = NextHop.parse(protocol + ":" + d, port);
                out.add(new NextHop(transport, h.host(), h.port(), h.mxLookup()));
            }
        }
        return out;
    }

    /** Postfix's error(8) takes an optional leading status: {@code error:5.1.1 no such user}. */
    static EnhancedStatus status(String text, EnhancedStatus fallback) {
        int space = text.indexOf(' ');
        EnhancedStatus s = EnhancedStatus.parse(space < 0 ? text : text.substring(0, space));
        return s != null && s.klass() == fallback.klass() ? s : fallback;
    }

    static String text(String nexthop) {
        int space = nexthop.indexOf(' ');
        String first = space < 0 ? nexthop : nexthop.substring(0, space);
        if (EnhancedStatus.parse(first) != null) {
            return space < 0 ? "" : nexthop.substring(space + 1).strip();
        }
        return nexthop;
    }
}

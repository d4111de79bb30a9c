package io.mxgate.core.routing;

import io.mxgate.core.smtp.EnhancedStatus;
import io.mxgate.core.transport.NextHop;

import java.util.List;
import java.util.stream.Collectors;

/** Where a recipient's mail goes, as trivial-rewrite resolves it: a (transport, next hop) pair, typed. */
public sealed interface Route {

    /** A name that is equal for recipients delivered together (Postfix's queue name {@code transport:nexthop}). */
    String key();

    /** The one dispatch over the kinds of route: a caller that forgets a kind does not compile. */
    <T> T dispatch(Dispatch<T> d);

    /** What to do with each kind of route. */
    interface Dispatch<T> {
        T deliver(Deliver route);

        T bounce(Bounce route);

        T defer(Defer route);

        T discard(Discard route);
    }

    /**
     * Delivery over SMTP or LMTP to the first next hop that answers, the others in order after it.
     *
     * @param transport      {@code smtp}, {@code relay} or {@code lmtp}
     * @param nextHops       one or more (relayhost takes a list), each with or without MX lookup
     * @param fallbackRelay  true when {@code smtp_fallback_relay} applies (transport {@code smtp} only: a backup MX
     *                       must not push its relay domains' mail to a fallback)
     */
    record Deliver(String transport, List<NextHop> nextHops, boolean fallbackRelay) implements Route {
        public Deliver {
            nextHops = List.copyOf(nextHops);
            if (nextHops.isEmpty()) {
                throw new IllegalArgumentException("a delivery route has at least one next hop");
            }
        }

        public boolean lmtp() {
            return transport.equals("lmtp");
        }

        @Override
        public <T> T dispatch(Dispatch<T> d) {
            return d.deliver(this);
        }

        @Override
        public String key() {
            return transport + ":" + nextHops.stream().map(h -> (h.mxLookup() ? h.host() : "[" + h.host() + "]")
                    + ":" + h.port()).collect(Collectors.joining(","));
        }
    }

    /** The {@code error} transport: the recipient bounces with this status and text. */
    record Bounce(EnhancedStatus dsn, String text) implements Route {
        @Override
        public <T> T dispatch(Dispatch<T> d) {
            return d.bounce(this);
        }

        @Override
        public String key() {
            return "error:" + text;
        }
    }

    /** The {@code retry} transport, an unknown transport, or a lookup problem: the recipient is deferred. */
    record Defer(EnhancedStatus dsn, String text) implements Route {
        @Override
        public <T> T dispatch(Dispatch<T> d) {
            return d.defer(this);
        }

        @Override
        public String key() {
            return "retry:" + text;
        }
    }

    /** The {@code discard} transport: the mail is dropped and counts as delivered. */
    record Discard(String text) implements Route {
        @Override
        public <T> T dispatch(Dispatch<T> d) {
            return d.discard(this);
        }

        @Override
        public String key() {
            return "discard:" + text;
        }
    }
}

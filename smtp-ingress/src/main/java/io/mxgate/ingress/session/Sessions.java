package io.mxgate.ingress.session;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.mxgate.core.smtp.Replies;
import io.mxgate.core.smtp.Reply;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The open sessions, for a graceful drain, and the counters pflogsumm would show: messages received, rejects by
 * reason, connections. Reject reasons are a short, fixed vocabulary so the metric stays small.
 */
@ApplicationScoped
public class Sessions {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger("anvil");

    private final Set<SmtpSession> open = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<String, Integer> perClient = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, java.util.ArrayDeque<Long>> arrivals = new ConcurrentHashMap<>();
    private volatile ClientLimits limits;
    /** Rate bookkeeping is pruned of idle clients beyond this many, so a scan cannot grow it without bound. */
    private static final int MAX_TRACKED_CLIENTS = 10_000;
    private final MeterRegistry metrics;
    private final Counter connections;
    private volatile boolean draining;

    Sessions(MeterRegistry metrics) {
        this.metrics = metrics;
        this.connections = metrics.counter("mxgate.smtpd.connections");
        metrics.gaugeCollectionSize("mxgate.smtpd.sessions", java.util.List.of(), open);
    }

    void opened(SmtpSession s) {
        open.add(s);
        connections.increment();
    }

    void closed(SmtpSession s, String clientAddress) {
        if (open.remove(s)) {
            perClient.computeIfPresent(clientAddress, (k, n) -> n <= 1 ? null : n - 1);
        }
    }

    /**
     * Postfix's anvil for one replica: counts the client's simultaneous sessions and its new sessions per time unit;
     * null when the client is admitted, else the 421 to send. Clients in mynetworks are exempt
     * ({@code smtpd_client_event_limit_exceptions}).
     */
    Reply admit(String clientAddress, String client) {
        if (limits == null || limits.exempt().test(clientAddress)) {
            return null;
        }
        int sessions = perClient.merge(clientAddress, 1, Integer::sum);
        if (limits.countLimit() > 0 && sessions > limits.countLimit()) {
            LOG.warnf("warning: Connection concurrency limit exceeded: %d from %s for service smtp", sessions, client);
            reject(Replies.tooManyConnections(limits.myhostname(), clientAddress));
            return Replies.tooManyConnections(limits.myhostname(), clientAddress);
        }
        if (limits.rateLimit() > 0) {
            long now = System.nanoTime();
            if (arrivals.size() > MAX_TRACKED_CLIENTS) {
                arrivals.values().removeIf(t -> {
                    synchronized (t) {
                        return t.isEmpty() || now - t.peekLast() > limits.rateUnit().toNanos();
                    }
                });
            }
            java.util.ArrayDeque<Long> times = arrivals.computeIfAbsent(clientAddress, k -> new java.util.ArrayDeque<>());
            synchronized (times) {
                while (!times.isEmpty() && now - times.peekFirst() > limits.rateUnit().toNanos()) {
                    times.pollFirst();
                }
                times.addLast(now);
                if (times.size() > limits.rateLimit()) {
                    LOG.warnf("warning: Connection rate limit exceeded: %d from %s for service smtp", times.size(), client);
                    reject(Replies.tooManyConnections(limits.myhostname(), clientAddress));
                    return Replies.tooManyConnections(limits.myhostname(), clientAddress);
                }
            }
        }
        return null;
    }

    /** The anvil limits; set once at startup. */
    public record ClientLimits(String myhostname, int countLimit, int rateLimit, java.time.Duration rateUnit,
                               java.util.function.Predicate<String> exempt) {
    }

    public void limits(ClientLimits limits) {
        this.limits = limits;
    }

    /**
     * A message was stored ({@code queued}), refused after DATA ({@code deferred}, {@code rejected}) or thrown away
     * on a filter's word ({@code discarded}).
     */
    void message(String result) {
        metrics.counter("mxgate.smtpd.messages", "result", result).increment();
    }

    void reject(Reply reply) {
        reject(reply, reason(reply));
    }

    /** A reject that a content filter (smtpd_milters) asked for, or its default action: reason {@code milter}. */
    void reject(Reply reply, String reason) {
        metrics.counter("mxgate.smtpd.rejects", "reason", reason, "code", Integer.toString(reply.code()))
                .increment();
    }

    /** The pflogsumm-style category of a reject reply. */
    static String reason(Reply reply) {
        String t = reply.text().toLowerCase(Locale.ROOT);
        if (t.contains("relay access denied")) {
            return "relay";
        } else if (t.contains("blocked using")) {
            return "rbl";
        } else if (t.contains("undeliverable address") || t.contains("unverified address")
                || t.contains("address verification")) {
            return "unverified";
        } else if (t.contains("client host rejected")) {
            return "client";
        } else if (t.contains("helo command rejected")) {
            return "helo";
        } else if (t.contains("sender address rejected")) {
            return "sender";
        } else if (t.contains("recipient address rejected")) {
            return "recipient";
        } else if (t.contains("too many recipients")) {
            return "recipient_limit";
        } else if (t.contains("size exceeds")) {
            return "size";
        }
        return "protocol";
    }

    public boolean draining() {
        return draining;
    }

    /** Tells every open session to end at its next safe point; returns how many were open. */
    public int drain() {
        draining = true;
        open.forEach(SmtpSession::drain);
        return open.size();
    }

    public int openCount() {
        return open.size();
    }

    /** Closes what is still open after the drain timeout. */
    public void closeAll() {
        open.forEach(SmtpSession::abort);
    }
}

package io.mxgate.ingress.session;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
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

    private final Set<SmtpSession> open = ConcurrentHashMap.newKeySet();
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

    void closed(SmtpSession s) {
        open.remove(s);
    }

    /** A message was stored ({@code queued}) or refused after DATA ({@code deferred}, {@code rejected}). */
    void message(String result) {
        metrics.counter("mxgate.smtpd.messages", "result", result).increment();
    }

    void reject(Reply reply) {
        metrics.counter("mxgate.smtpd.rejects", "reason", reason(reply), "code", Integer.toString(reply.code()))
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

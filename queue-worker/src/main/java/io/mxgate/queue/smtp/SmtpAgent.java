package io.mxgate.queue.smtp;

import io.mxgate.core.address.MailAddress;
import io.mxgate.core.client.ClientException;
import io.mxgate.core.client.ClientProtocol;
import io.mxgate.core.client.ClientState;
import io.mxgate.core.client.ClientTimeouts;
import io.mxgate.core.client.ConnectionPools;
import io.mxgate.core.client.RecipientOutcome;
import io.mxgate.core.client.TlsPolicies;
import io.mxgate.core.client.TlsPolicy;
import io.mxgate.core.client.TlsRequirement;
import io.mxgate.core.delivery.DeliveryLog;
import io.mxgate.core.delivery.RecipientResult;
import io.mxgate.core.dns.Dns;
import io.mxgate.core.dns.HostResolver;
import io.mxgate.core.dsn.RecipientStatus;
import io.mxgate.core.envelope.Envelope;
import io.mxgate.core.routing.Route;
import io.mxgate.core.smtp.EnhancedStatus;
import io.mxgate.core.transport.NextHop;
import io.mxgate.queue.Outcome;
import io.mxgate.queue.QueueWorkerConfig;
import io.mxgate.queue.routing.Routing;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Postfix's smtp(8) (and lmtp(8) for retries of virtual mailbox recipients): delivers one message to the recipients
 * that share a route. The next hops are tried in order, then {@code smtp_fallback_relay} when the route allows it;
 * each next hop's servers come from {@link HostResolver} (MX preference order, next MX on failure), at most
 * {@code smtp_mx_session_limit} sessions per next hop. A recipient that got a 4xx, or whose server could not be
 * reached, is tried on the next server; one that got 2xx or 5xx is done. Each recipient gets exactly one
 * {@link Outcome} and one Postfix log line. Opportunistic STARTTLS, SIZE, 8BITMIME and PIPELINING are the
 * client's ({@link io.mxgate.core.client.ClientConnection}); the TLS level of each next hop comes from
 * {@code smtp_tls_policy_maps} or {@code smtp_tls_security_level} ({@link TlsPolicies}): a server whose certificate
 * fails {@code verify}/{@code secure} gets nothing, and its recipients are deferred (4.7.5) or tried on the next one.
 */
@ApplicationScoped
public class SmtpAgent {

    private static final Logger LOG = Logger.getLogger("smtp");

    private final QueueWorkerConfig config;
    private final Vertx vertx;
    private final Routing routing;
    private final Clock clock = Clock.systemUTC();
    private ConnectionPools pools;
    private Dns dns;
    private HostResolver hosts;
    private List<NextHop> fallbackRelays;
    private TlsPolicies tlsPolicies;
    private DestinationLimiter limiter;
    private DeadDestinations dead;
    private long sweeper = -1;

    SmtpAgent(QueueWorkerConfig config, Vertx vertx, Routing routing) {
        this.config = config;
        this.vertx = vertx;
        this.routing = routing;
    }

    void start(@Observes @Priority(6) StartupEvent event) {
        ClientTimeouts smtp = new ClientTimeouts(config.smtpConnectTimeout(), config.smtpHeloTimeout(),
                config.smtpHeloTimeout(), config.smtpMailTimeout(), config.smtpRcptTimeout(),
                config.smtpDataInitTimeout(), config.smtpDataDoneTimeout(), config.smtpRsetTimeout(),
                config.smtpQuitTimeout());
        ClientTimeouts lmtp = new ClientTimeouts(config.lmtpConnectTimeout(), config.lmtpLhloTimeout(),
                config.lmtpLhloTimeout(), config.smtpMailTimeout(), config.smtpRcptTimeout(),
                config.smtpDataInitTimeout(), config.lmtpDataDoneTimeout(), config.smtpRsetTimeout(),
                config.smtpQuitTimeout());
        pools = new ConnectionPools(vertx, smtp, lmtp, config.myhostname(), config.smtpConnectionCacheTimeLimit());
        dns = new Dns(vertx, config.dnsResolver().orElse(null), config.dnsTimeout());
        Set<String> own = new HashSet<>();
        for (String list : List.of(config.inetInterfaces(), config.proxyInterfaces().orElse(""))) {
            for (String a : list.strip().split("[,\\s]+")) {
                if (!a.isEmpty() && !a.equalsIgnoreCase("all")) {
                    own.add(a);
                }
            }
        }
        hosts = new HostResolver(dns, own, config.smtpMxAddressLimit(), new Random(), config.protocols(),
                config.addressPreference());
        fallbackRelays = new ArrayList<>();
        for (String d : config.smtpFallbackRelay().orElse("").strip().split("[,\\s]+")) {
            if (!d.isEmpty()) {
                NextHop h = NextHop.parse("smtp:" + d, config.smtpTcpPort());
                fallbackRelays.add(h);
            }
        }
        tlsPolicies = config.tlsPolicies(routing.tables(), config.smtpTcpPort());
        limiter = new DestinationLimiter(config.defaultDestinationConcurrencyLimit());
        dead = new DeadDestinations(clock, config.minimalBackoffTime());
        sweeper = vertx.setPeriodic(5000, id -> pools.sweep());
    }

    void stop(@Observes @Priority(5) ShutdownEvent event) {
        if (sweeper >= 0) {
            vertx.cancelTimer(sweeper);
        }
        if (pools != null) {
            pools.close();
        }
        if (dns != null) {
            dns.close();
        }
    }

    /** Forgets dead destinations (a flush: "try everything now"). */
    public void forgetDeadDestinations() {
        dead.clear();
    }

    /**
     * Delivers {@code message} to {@code recipients} along {@code route}. Never fails: every problem becomes the
     * recipients' outcome.
     */
    public Future<List<Outcome>> deliver(Envelope envelope, Route.Deliver route, List<RecipientStatus> recipients,
                                         byte[] message, Instant dequeued) {
        Attempt a = new Attempt(envelope, route, recipients, message, dequeued);
        String key = route.key();
        String deadReason = dead.reason(key);
        if (deadReason != null) {
            for (Track t : a.tracks.values()) {
                t.soft(EnhancedStatus.of(4, 4, 1), "delivery temporarily suspended: " + deadReason, "", "", "none");
            }
            return Future.succeededFuture(a.finish());
        }
        return limiter.acquire(key)
                .compose(v -> a.run())
                .recover(e -> {
                    ClientException c = ClientException.of(e, ClientState.CONNECT);
                    for (Track t : a.tracks.values()) {
                        if (t.pending()) {
                            t.soft(EnhancedStatus.of(4, 3, 0), c.getMessage(), "", "", t.relay);
                        }
                    }
                    return Future.succeededFuture();
                })
                .map(v -> a.finish())
                .onComplete(ar -> limiter.release(key));
    }

    /** One recipient during an attempt: its last status until a server settles it ({@link #outcome}). */
    private static final class Track {
        RecipientStatus status;
        /** Sent or bounced by a server's answer; null while the recipient is still to be tried. */
        Outcome settled;
        boolean permanent;
        boolean answered;
        String relay = "none";
        /** When the agent began on this recipient: its transaction, or the attempt when none was made (delays b). */
        Instant started;
        Duration connect = Duration.ZERO;
        Duration transmit = Duration.ZERO;

        Track(RecipientStatus status, Instant started) {
            this.status = status;
            this.started = started;
        }

        void soft(EnhancedStatus dsn, String reason, String remote, String diagnostic, String relay) {
            status = status.withStatus(dsn, reason, remote, diagnostic);
            permanent = dsn.klass() == 5;
            this.relay = relay;
        }

        void done(RecipientResult.Status kind, EnhancedStatus dsn, String reason, String remote, String diagnostic,
                  String relay) {
            status = status.withStatus(dsn, reason, remote, diagnostic);
            settled = Outcome.of(kind, status);
            this.relay = relay;
            answered = true;
        }

        boolean pending() {
            return settled == null;
        }

        /** Settled, or else what the last try left: bounced after a 5xx, deferred otherwise. */
        Outcome outcome() {
            return settled != null ? settled : permanent ? new Outcome.Bounced(status) : new Outcome.Deferred(status);
        }
    }

    /** The state of one delivery attempt for one route. */
    private final class Attempt {
        final Envelope envelope;
        final Route.Deliver route;
        final byte[] message;
        final Instant dequeued;
        final Map<MailAddress, Track> tracks = new LinkedHashMap<>();
        final ClientProtocol protocol;
        boolean anyAnswer;

        Attempt(Envelope envelope, Route.Deliver route, List<RecipientStatus> recipients, byte[] message,
                Instant dequeued) {
            this.envelope = envelope;
            this.route = route;
            this.message = message;
            this.dequeued = dequeued;
            this.protocol = route.lmtp() ? ClientProtocol.LMTP : ClientProtocol.SMTP;
            for (RecipientStatus r : recipients) {
                tracks.putIfAbsent(r.recipient(), new Track(r, clock.instant()));
            }
        }

        List<Track> pending() {
            return tracks.values().stream().filter(Track::pending).toList();
        }

        Future<Void> run() {
            List<NextHop> hops = new ArrayList<>(route.nextHops());
            int primaries = hops.size();
            if (route.fallbackRelay()) {
                hops.addAll(fallbackRelays);
            }
            Future<Void> chain = Future.succeededFuture();
            for (int i = 0; i < hops.size(); i++) {
                NextHop hop = hops.get(i);
                boolean fallback = i >= primaries;
                chain = chain.compose(v -> pending().isEmpty() ? Future.succeededFuture() : hop(hop, fallback));
            }
            return chain;
        }

        private Future<Void> hop(NextHop hop, boolean fallback) {
            if (protocol == ClientProtocol.LMTP) {
                return hop(hop, fallback, null);
            }
            return tlsPolicies.policy(hop).transform(ar -> {
                if (ar.failed()) {
                    // Postfix's smtp_tls_policy.c: an unusable policy never means less TLS; the mail waits
                    LOG.warn("warning: " + ar.cause().getMessage());
                    for (Track t : pending()) {
                        t.soft(EnhancedStatus.of(4, 7, 5), "client TLS configuration problem", "", "", "none");
                    }
                    return Future.succeededFuture();
                }
                return hop(hop, fallback, ar.result());
            });
        }

        /** The servers of one next hop in order; {@code tls} is its policy (null for LMTP, which has no TLS). */
        private Future<Void> hop(NextHop hop, boolean fallback, TlsPolicy tls) {
            return hosts.resolve(hop).compose(result -> {
                if (result instanceof HostResolver.Result.Failure f) {
                    for (Track t : pending()) {
                        t.soft(f.dsn(), f.text(), "", "", "none");
                    }
                    return Future.succeededFuture();
                }
                List<HostResolver.Host> list = ((HostResolver.Result.Hosts) result).hosts();
                int[] sessions = {0};
                Future<Void> chain = Future.succeededFuture();
                for (HostResolver.Host h : list) {
                    TlsRequirement requirement = tls == null ? TlsRequirement.NONE
                            : tlsPolicies.requirement(tls, h.name(), hop);
                    chain = chain.compose(v -> pending().isEmpty()
                            || (!fallback && sessions[0] >= Math.max(1, config.smtpMxSessionLimit()))
                            ? Future.succeededFuture()
                            : host(h, requirement).map(session -> {
                                if (session) {
                                    sessions[0]++;
                                }
                                return null;
                            }));
                }
                return chain;
            });
        }

        /** Delivers the pending recipients to one server, in chunks; true when a session was established. */
        private Future<Boolean> host(HostResolver.Host h, TlsRequirement tls) {
            var pool = pools.get(new ConnectionPools.Endpoint(protocol, h.name(), h.address(), h.port(), tls));
            List<Track> pending = pending();
            int limit = Math.max(1, config.defaultDestinationRecipientLimit());
            boolean[] session = {false};
            boolean[] stop = {false};
            Future<Void> chain = Future.succeededFuture();
            for (int i = 0; i < pending.size(); i += limit) {
                List<Track> chunk = pending.subList(i, Math.min(pending.size(), i + limit));
                chain = chain.compose(v -> stop[0] ? Future.succeededFuture() : transaction(pool, h, chunk)
                        .map(result -> {
                            session[0] |= result != Session.UNREACHABLE;
                            stop[0] = result != Session.CLEAN;
                            return null;
                        }));
            }
            return chain.map(v -> session[0]);
        }

        /**
         * One transaction. UNREACHABLE: no session (connect, greeting or EHLO failed), try the next server; BROKEN:
         * the session ended mid-transaction, the rest goes to the next server; CLEAN: go on with the next chunk.
         */
        private enum Session { UNREACHABLE, BROKEN, CLEAN }

        private Future<Session> transaction(io.mxgate.core.client.ConnectionPool pool, HostResolver.Host h,
                                            List<Track> chunk) {
            Instant agentStart = clock.instant();
            long started = System.nanoTime();
            List<MailAddress> addresses = chunk.stream().map(t -> t.status.recipient()).toList();
            for (Track t : chunk) {
                t.started = agentStart;
            }
            return pool.run(connection -> {
                long connected = System.nanoTime();
                Duration connect = Duration.ofNanos(connected - started);
                String limitText = connection.extension("SIZE");
                long serverLimit = parseLong(limitText);
                if (serverLimit > 0 && message.length > serverLimit) {
                    for (Track t : chunk) {
                        t.done(RecipientResult.Status.BOUNCED, EnhancedStatus.of(5, 3, 4), "message size "
                                + message.length + " exceeds size limit " + serverLimit + " of server "
                                + connection.peer(), h.name(), "", connection.relay());
                        t.connect = connect;
                    }
                    anyAnswer = true;
                    return Future.succeededFuture(Session.CLEAN);
                }
                return connection.deliver(envelope.sender(), addresses, message.length, message, message.length)
                        .map(outcomes -> {
                            Duration transmit = Duration.ofNanos(System.nanoTime() - connected);
                            anyAnswer = true;
                            for (RecipientOutcome o : outcomes) {
                                Track t = tracks.get(o.recipient());
                                RecipientResult r = RecipientResult.of(o, connection.peer());
                                String diagnostic = o.reply().oneLine();
                                if (r.status() == RecipientResult.Status.DEFERRED) {
                                    t.soft(r.dsn(), r.reason(), h.name(), diagnostic, connection.relay());
                                    t.answered = true;
                                } else {
                                    t.done(r.status(), r.dsn(), r.reason(), h.name(), diagnostic, connection.relay());
                                }
                                t.connect = connect;
                                t.transmit = transmit;
                            }
                            return Session.CLEAN;
                        });
            }).recover(failure -> {
                ClientException e = ClientException.of(failure, ClientState.CONNECT);
                if (e.detail() != null) {
                    LOG.info(e.detail());
                }
                // a TLS failure (4.7.x) happens in a session, and Postfix logs the server as relay=
                boolean session = !e.beforeTransaction() || e.dsn().subject() == 7;
                for (Track t : chunk) {
                    t.soft(e.dsn(), e.getMessage(), "", "", session ? h.toString() : "none");
                }
                return Future.succeededFuture(e.beforeTransaction() ? Session.UNREACHABLE : Session.BROKEN);
            });
        }

        /** Logs every recipient, remembers dead destinations, and returns the outcomes. */
        List<Outcome> finish() {
            Instant now = clock.instant();
            Logger log = Logger.getLogger(route.transport().toLowerCase(Locale.ROOT));
            List<Outcome> out = new ArrayList<>(tracks.size());
            boolean allUnreached = true;
            String lastReason = null;
            for (Track t : tracks.values()) {
                if (t.pending() && !t.answered && !t.permanent) {
                    lastReason = t.status.reason();
                } else {
                    allUnreached = false;
                }
                Outcome o = t.outcome();
                log.info(DeliveryLog.line(envelope.queueId(), o.result(), t.status.original(), t.relay,
                        Duration.between(envelope.arrival(), now),
                        DeliveryLog.Delays.of(envelope.arrival(), dequeued, t.started, t.connect, t.transmit)));
                out.add(o);
            }
            if (anyAnswer) {
                dead.markAlive(route.key());
            } else if (allUnreached && lastReason != null && !lastReason.startsWith("delivery temporarily suspended")) {
                dead.markDead(route.key(), lastReason);
            }
            return out;
        }
    }

    private static long parseLong(String s) {
        if (s == null || s.isBlank()) {
            return 0;
        }
        try {
            return Long.parseLong(s.strip().split("\\s+")[0]);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}

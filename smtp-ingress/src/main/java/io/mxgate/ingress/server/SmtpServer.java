package io.mxgate.ingress.server;

import io.mxgate.core.envelope.QueueId;
import io.mxgate.core.routing.ResolverRuntime;
import io.mxgate.ingress.IngressConfig;
import io.mxgate.core.address.MailAddress;
import io.mxgate.core.smtp.Reply;
import io.mxgate.core.smtp.ReplyParser;
import io.mxgate.core.table.CidrTable;
import io.mxgate.ingress.policy.UnlistedRecipientReplies;
import io.mxgate.ingress.policy.UnverifiedRecipientReplies;
import io.mxgate.core.dns.Dns;
import io.mxgate.ingress.restriction.PolicyClient;
import io.mxgate.ingress.restriction.RestrictionChain;
import io.mxgate.ingress.restriction.Restrictions;
import io.mxgate.ingress.restriction.Tables;
import io.mxgate.ingress.queue.IncomingQueue;
import io.mxgate.ingress.session.SessionLimits;
import io.mxgate.ingress.session.SessionServices;
import io.mxgate.ingress.session.Sessions;
import io.mxgate.ingress.session.SmtpSession;
import io.mxgate.ingress.milter.MilterMetrics;
import io.mxgate.ingress.milter.MilterOptions;
import io.mxgate.ingress.milter.Milters;
import io.mxgate.ingress.sasl.DovecotAuthClient;
import io.vertx.core.net.PemKeyCertOptions;
import io.mxgate.ingress.verify.VerifierClient;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServerOptions;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Starts the SMTP listener: one server verticle per event loop, all bound to the same port (Vert.x spreads the
 * connections), after the domain lists loaded cleanly. A bad list stops the start with a message naming it.
 */
@ApplicationScoped
public class SmtpServer {

    private static final Logger LOG = Logger.getLogger("master");
    /** The PROXY hand-off belongs to the SMTP server's process, as in Postfix (smtpd_peer.c). */
    private static final Logger SMTPD = Logger.getLogger("smtpd");
    private static final String TRUSTED_PROXIES = "mxgate.smtpd-upstream-proxy-trusted-networks";

    private final IngressConfig config;
    private final IncomingQueue queue;
    private final Vertx vertx;
    private final VerifierClient verifier;
    private final Sessions sessions;
    private final io.micrometer.core.instrument.MeterRegistry metrics;
    /** Each event loop stamps its time here every second; liveness checks none is stuck. */
    private final Map<String, Long> heartbeats = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * How long an AUTH may wait for Dovecot. Dovecot delays answers to clients with recent failures (auth_penalty,
     * up to 15 s) and every failure by auth_failure_delay (2 s); a shorter wait would turn that into 454s.
     */
    private static final long SASL_TIMEOUT_MILLIS = 30_000;

    private String deploymentId;
    private long reloadTimer = -1;
    private ResolverRuntime resolution;

    SmtpServer(IngressConfig config, IncomingQueue queue, Vertx vertx, VerifierClient verifier, Sessions sessions,
               io.micrometer.core.instrument.MeterRegistry metrics) {
        this.config = config;
        this.metrics = metrics;
        this.queue = queue;
        this.vertx = vertx;
        this.verifier = verifier;
        this.sessions = sessions;
    }

    void start(@Observes @Priority(20) StartupEvent event) {
        resolution = new ResolverRuntime(vertx, config.resolution(), config.sql().options(), LOG::warn);
        UnlistedRecipientReplies unlisted = new UnlistedRecipientReplies(config.smtpdRejectUnlistedRecipient(),
                config.unknownVirtualAliasRejectCode(), config.unknownVirtualMailboxRejectCode(),
                config.unknownRelayRecipientRejectCode());
        Restrictions.requireRelayGuard(config.smtpdRelayRestrictions(), config.smtpdRecipientRestrictions());
        Tables tables = new Tables(resolution.tables());
        List<CidrTable.Network> mynetworks = networks("mxgate.mynetworks", config.mynetworks().orElse(""));
        List<CidrTable.Network> mxBackupNetworks = networks("mxgate.permit-mx-backup-networks",
                config.permitMxBackupNetworks().orElse(""));
        List<String> ourAddresses = config.ownAddresses();
        UnverifiedRecipientReplies unverified = new UnverifiedRecipientReplies(config.unverifiedRecipientRejectCode(),
                config.unverifiedRecipientDeferCode(), config.unverifiedRecipientRejectReason());
        MailAddress verifySender = MailAddress.qualified(config.addressVerifySender(), config.myhostname());
        Reply policyDefault = parseReply("mxgate.smtpd-policy-service-default-action",
                config.smtpdPolicyServiceDefaultAction());
        PolicyClient.Settings policySettings = new PolicyClient.Settings(config.smtpdPolicyServiceTimeout(),
                config.smtpdPolicyServiceMaxIdle(), config.smtpdPolicyServiceMaxTtl(),
                config.smtpdPolicyServiceTryLimit(), config.smtpdPolicyServiceRetryDelay());
        SessionLimits limits = SessionLimits.from(config);
        MilterOptions milterOptions = MilterOptions.from(config, config.myhostname());
        MilterMetrics milterMetrics = (milter, action) -> metrics.counter("mxgate.milter.actions", "milter", milter,
                "action", action).increment();
        sessions.limits(new Sessions.ClientLimits(config.myhostname(), config.smtpdClientConnectionCountLimit(),
                config.smtpdClientConnectionRateLimit(), config.anvilRateTimeUnit(),
                address -> CidrTable.contains(mynetworks, address)));
        QueueId queueIds = new QueueId(Clock.systemUTC());
        NetServerOptions options = new NetServerOptions()
                .setHost(config.inetInterfaces())
                .setPort(config.smtpdPort())
                .setTcpNoDelay(true);
        boolean tls = config.smtpdTlsCertFile().isPresent() && config.smtpdTlsKeyFile().isPresent();
        if (tls) {
            // Not setSsl: the listener is plain text and a session upgrades on STARTTLS with this key.
            options.setKeyCertOptions(new PemKeyCertOptions().setCertPath(config.smtpdTlsCertFile().get())
                    .setKeyPath(config.smtpdTlsKeyFile().get()));
        }
        Optional<NetServerOptions> proxyOptions = config.smtpdUpstreamProxyProtocol().filter(p -> !p.isBlank())
                .map(p -> {
                    if (!p.equals("haproxy")) {
                        throw new IllegalArgumentException("mxgate.smtpd-upstream-proxy-protocol: only \"haproxy\" is "
                                + "supported, got \"" + p + "\"");
                    }
                    return new NetServerOptions(options).setPort(config.smtpdProxyPort()).setUseProxyProtocol(true)
                            .setProxyProtocolTimeout(config.smtpdUpstreamProxyTimeout().toMillis())
                            .setProxyProtocolTimeoutUnit(TimeUnit.MILLISECONDS);
                });
        List<CidrTable.Network> trustedProxies = proxyOptions.isPresent()
                ? trustedProxies(config.smtpdUpstreamProxyTrustedNetworks().orElse("")) : List.of();
        String[] saslPath = config.smtpdSaslPath().replaceFirst("^inet:", "").split(":");
        if (config.smtpdSaslAuthEnable() && saslPath.length != 2) {
            throw new IllegalArgumentException("mxgate.smtpd-sasl-path: expected inet:host:port, got "
                    + config.smtpdSaslPath());
        }
        int instances = Math.max(1, Runtime.getRuntime().availableProcessors());
        // Each event loop builds its own chain: DNS and policy connections then stay on one thread.
        deploymentId = vertx.deployVerticle(() -> new AbstractVerticle() {
                    private Dns dns;
                    private DovecotAuthClient sasl;
                    private Milters milters;
                    private final Map<String, PolicyClient> policyClients = new HashMap<>();

                    @Override
                    public void start(Promise<Void> started) {
                        dns = new Dns(vertx, config.dnsResolver().orElse(null), config.dnsTimeout());
                        Restrictions restrictions = new Restrictions(new Restrictions.Resources(tables, dns, mynetworks,
                                mxBackupNetworks, ourAddresses, verifier, unverified, verifySender,
                                endpoint -> policyClients.computeIfAbsent(endpoint,
                                        e -> policyClient(e, policySettings)), policyDefault));
                        RestrictionChain chain = new RestrictionChain(
                                restrictions.parse("mxgate.smtpd-relay-restrictions", config.smtpdRelayRestrictions()),
                                restrictions.parse("mxgate.smtpd-recipient-restrictions",
                                        config.smtpdRecipientRestrictions()));
                        sasl = config.smtpdSaslAuthEnable() ? new DovecotAuthClient(vertx, saslPath[0],
                                Integer.parseInt(saslPath[1]), SASL_TIMEOUT_MILLIS) : null;
                        milters = milterOptions.endpoints().isEmpty() ? null
                                : new Milters(vertx, milterOptions, milterMetrics);
                        SessionServices services = new SessionServices(resolution.resolver(), unlisted, chain,
                                config.smtpdPeernameLookup() ? dns : null, queue, queueIds, sasl, tls,
                                config.smtpdTlsAuthOnly(), sessions, Clock.systemUTC(), milters);
                        String loop = Integer.toHexString(System.identityHashCode(context));
                        heartbeats.put(loop, System.nanoTime());
                        vertx.setPeriodic(1000, id -> heartbeats.put(loop, System.nanoTime()));
                        Future<NetServer> plain = listen(options, socket -> session(socket, services));
                        Future<?> proxied = proxyOptions.map(o -> (Future<?>) listen(o, socket -> {
                            if (fromTrustedProxy(socket, trustedProxies)) {
                                session(socket, services);
                            }
                        })).orElse(Future.succeededFuture());
                        Future.all(plain, proxied).<Void>mapEmpty().onComplete(started);
                    }

                    @Override
                    public void stop() {
                        policyClients.values().forEach(PolicyClient::close);
                        dns.close();
                        if (sasl != null) {
                            sasl.close();
                        }
                        if (milters != null) {
                            milters.close();
                        }
                    }

                    private Future<NetServer> listen(NetServerOptions o, Handler<NetSocket> connect) {
                        return vertx.createNetServer(o).connectHandler(connect).listen();
                    }

                    private void session(NetSocket socket, SessionServices services) {
                        new SmtpSession(vertx, socket, limits, services).start();
                    }

                    private PolicyClient policyClient(String endpoint, PolicyClient.Settings settings) {
                        String hostPort = endpoint.startsWith("inet:") ? endpoint.substring(5) : endpoint;
                        int colon = hostPort.lastIndexOf(':');
                        if (colon <= 0) {
                            throw new IllegalArgumentException("check_policy_service " + endpoint
                                    + ": expected inet:host:port");
                        }
                        return new PolicyClient(vertx, hostPort.substring(0, colon),
                                Integer.parseInt(hostPort.substring(colon + 1)), settings);
                    }
                }, new DeploymentOptions().setInstances(instances))
                .toCompletionStage().toCompletableFuture().join();
        reloadTimer = vertx.setPeriodic(ResolverRuntime.TABLE_CHECK_INTERVAL_MILLIS, id -> vertx.executeBlocking(() -> tables.reloadAll(),
                false).onSuccess(problems -> problems.forEach(p -> LOG.warnf("warning: %s", p))));
        LOG.infof("daemon started -- smtpd listening on %s:%d%s, %d event loops%s", config.inetInterfaces(),
                config.smtpdPort(), proxyOptions.map(o -> " and " + o.getPort() + " (PROXY protocol)").orElse(""),
                instances, milterOptions.endpoints().isEmpty() ? "" : ", milters " + milterOptions.endpoints());
    }

    /**
     * mxgate.smtpd-upstream-proxy-trusted-networks, required with the PROXY listener: empty would have to mean
     * either "trust every peer", the open relay this list exists to close, or "trust none", a listener that only
     * hangs up; both are configuration mistakes, so the start stops and says what to set.
     */
    static List<CidrTable.Network> trustedProxies(String spec) {
        List<CidrTable.Network> trusted = networks(TRUSTED_PROXIES, spec);
        if (trusted.isEmpty()) {
            throw new IllegalArgumentException(TRUSTED_PROXIES + ": name the networks the load balancer connects "
                    + "from when mxgate.smtpd-upstream-proxy-protocol is set; a PROXY header from any other peer "
                    + "could claim a mynetworks address and relay");
        }
        return trusted;
    }

    /**
     * True when the socket's TCP peer may speak for a client. Vert.x has already decoded the PROXY header by the
     * time a connection is handed over: {@code remoteAddress()} is the address the header claims, and
     * {@code remoteAddress(true)} the real TCP peer (ConnectionBase's REMOTE_ADDRESS_OVERRIDE). Anyone else is
     * logged, as Postfix's smtpd logs a failed haproxy hand-off, and hung up on without a word of SMTP.
     */
    private static boolean fromTrustedProxy(NetSocket socket, List<CidrTable.Network> trusted) {
        String peer = socket.remoteAddress(true).hostAddress();
        if (CidrTable.contains(trusted, peer)) {
            return true;
        }
        SMTPD.warnf("warning: haproxy: PROXY header from untrusted peer %s claims client %s; not in %s, hanging up",
                peer, socket.remoteAddress().hostAddress(), TRUSTED_PROXIES);
        socket.close();
        return false;
    }

    /** A CIDR list in Postfix's list syntax: networks separated by commas or spaces, or /file names. */
    static List<CidrTable.Network> networks(String key, String spec) {
        List<CidrTable.Network> out = new ArrayList<>();
        for (String word : spec.split("[,\\s]+")) {
            if (word.isEmpty()) {
                continue;
            }
            try {
                if (word.startsWith("/")) {
                    for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of(word))) {
                        String l = line.strip();
                        if (!l.isEmpty() && !l.startsWith("#")) {
                            out.addAll(networks(word, l));
                        }
                    }
                } else {
                    out.add(CidrTable.Network.parse(word));
                }
            } catch (java.io.IOException | IllegalArgumentException e) {
                throw new IllegalArgumentException(key + ": " + e.getMessage());
            }
        }
        return out;
    }

    private static Reply parseReply(String key, String text) {
        try {
            Reply r = new ReplyParser().accept(text);
            if (r == null || r.code() < 400) {
                throw new IllegalArgumentException(text);
            }
            return r;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(key + ": expected \"4xx/5xx [x.y.z] text\", got \"" + text + "\"");
        }
    }

    /**
     * Graceful drain on SIGTERM, before the Kafka producer closes: readiness goes down, new connections get 421,
     * open sessions end at their next safe point (a DATA in progress finishes and is answered first); whatever is
     * still open after {@code smtpd_drain_timeout} is closed without a 250, so its client retries.
     */
    void stop(@Observes @Priority(1) ShutdownEvent event) throws InterruptedException {
        vertx.cancelTimer(reloadTimer);
        int open = sessions.drain();
        LOG.infof("draining: %d sessions open", open);
        long deadline = System.nanoTime() + config.smtpdDrainTimeout().toNanos();
        while (sessions.openCount() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        if (sessions.openCount() > 0) {
            LOG.warnf("warning: %d sessions still open after %s; closing them", sessions.openCount(),
                    config.smtpdDrainTimeout());
            sessions.closeAll();
        }
        if (deploymentId != null) {
            vertx.undeploy(deploymentId).toCompletionStage().toCompletableFuture()
                    .orTimeout(Duration.ofSeconds(10).toMillis(), TimeUnit.MILLISECONDS)
                    .exceptionally(e -> null).join();
        }
        resolution.close();
    }

    /** True when every event loop ran its heartbeat within the last 10 s (liveness: nothing is stuck). */
    public boolean eventLoopsAlive() {
        long now = System.nanoTime();
        return !heartbeats.isEmpty() && heartbeats.values().stream().allMatch(t -> now - t < 10_000_000_000L);
    }

    public boolean draining() {
        return sessions.draining();
    }
}

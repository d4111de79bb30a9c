package io.mxgate.verify.probe;

import io.mxgate.core.address.MailAddress;
import io.mxgate.core.client.ClientException;
import io.mxgate.core.client.ClientState;
import io.mxgate.core.client.ClientTimeouts;
import io.mxgate.core.client.ClientProtocol;
import io.mxgate.core.client.ClientTls;
import io.mxgate.core.client.ConnectionPool;
import io.mxgate.core.client.ConnectionPools;
import io.mxgate.core.dns.Dns;
import io.mxgate.core.dns.HostResolver;
import io.mxgate.core.routing.Resolver;
import io.mxgate.core.routing.Route;
import io.mxgate.core.routing.TransportMaps;
import io.mxgate.core.smtp.EnhancedStatus;
import io.mxgate.core.table.PostfixTable;
import io.mxgate.core.table.ReloadingTable;
import io.mxgate.core.client.RecipientOutcome;
import io.mxgate.core.delivery.DeliveryLog;
import io.mxgate.core.delivery.RecipientResult;
import io.mxgate.core.domain.AddressClass;
import io.mxgate.core.domain.DomainClasses;
import io.mxgate.core.envelope.QueueId;
import io.mxgate.core.table.DomainList;
import io.mxgate.core.transport.NextHop;
import io.mxgate.core.verify.VerifyStatus;
import io.mxgate.verify.VerifierConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Sends address probes the way Postfix's verify(8) has them delivered: to the address's real next hop,
 * {@code MAIL FROM:<address_verify_sender>}, {@code RCPT TO}, then RSET; never DATA. Each probe is logged like a
 * delivery, {@code status=deliverable} or {@code status=undeliverable}.
 *
 * <p>Virtual mailbox domains are probed over {@code virtual_transport}; every other domain along the route
 * queue-worker delivers it on (core's trivial-rewrite {@link Resolver} with the same keys: {@code relay_domains},
 * {@code transport_maps}, {@code relay_transport}, {@code default_transport}, {@code relayhost},
 * {@code smtp_tcp_port}, {@code dns-resolver}, {@code inet_interfaces}, {@code proxy_interfaces}), so a backup MX's
 * {@code relay:[primary]} route verifies recipients at the primary. Servers are tried in MX order until one answers;
 * {@code error:} routes answer BOUNCE, {@code retry:} DEFER, {@code discard:} OK. The fallback relay is not probed
 * (it would accept anything).
 */
@ApplicationScoped
public class Prober {

    private static final Logger LOG = Logger.getLogger("verify");

    /** What the next hop said: the status and Postfix's text for it. */
    public record ProbeResult(VerifyStatus status, String text) {
    }

    private final DomainClasses domains;
    private final ConnectionPool virtualTransport;
    private final Resolver resolver;
    private final List<ReloadingTable<PostfixTable>> transportTables = new ArrayList<>();
    private final ConnectionPools pools;
    private final Dns dns;
    private final HostResolver hosts;
    private final ClientTls tls;
    private final Vertx vertx;
    private final long reloadTimer;
    private final MailAddress sender;
    private final Duration timeout;
    private final QueueId queueIds = new QueueId(Clock.systemUTC());

    Prober(VerifierConfig config, Vertx vertx) {
        this.domains = new DomainClasses(DomainList.parse(config.relayDomains().orElse("")),
                DomainList.parse(config.virtualMailboxDomains()), DomainList.parse(""));
        this.timeout = config.addressVerify().probeTimeout();
        Duration t = timeout;
        this.virtualTransport = new ConnectionPool(vertx, NextHop.parse(config.virtualTransport()),
                new ClientTimeouts(t, t, t, t, t, t, t, t, t), config.myhostname(), Duration.ofSeconds(10));
        this.sender = MailAddress.qualified(config.addressVerify().sender(), config.myhostname());
        this.vertx = vertx;
        Config c = ConfigProvider.getConfig();
        for (String name : words(c.getOptionalValue("mxgate.transport-maps", String.class).orElse(""))) {
            transportTables.add(new ReloadingTable<>(name, f -> PostfixTable.open(name)));
        }
        int smtpPort = c.getOptionalValue("mxgate.smtp-tcp-port", Integer.class).orElse(25);
        this.resolver = new Resolver(new Resolver.Settings(new DomainClasses(
                DomainList.parse(config.relayDomains().orElse("")), DomainList.parse(config.virtualMailboxDomains()),
                DomainList.parse(c.getOptionalValue("mxgate.virtual-alias-domains", String.class).orElse(""))),
                config.virtualTransport(), c.getOptionalValue("mxgate.relay-transport", String.class).orElse("relay"),
                c.getOptionalValue("mxgate.default-transport", String.class).orElse("smtp"),
                c.getOptionalValue("mxgate.relayhost", String.class).orElse(""), smtpPort,
                c.getOptionalValue("mxgate.lmtp-tcp-port", Integer.class).orElse(24)),
                new TransportMaps(this::transportTables,
                        c.getOptionalValue("mxgate.recipient-delimiter", String.class).orElse("")));
        ClientTimeouts probeTimeouts = new ClientTimeouts(t, t, t, t, t, t, t, t, t);
        this.pools = new ConnectionPools(vertx, probeTimeouts, probeTimeouts, config.myhostname(),
                Duration.ofSeconds(10));
        this.dns = new Dns(vertx, c.getOptionalValue("mxgate.dns-resolver", String.class).orElse(null),
                c.getOptionalValue("mxgate.dns-timeout", Duration.class).orElse(Duration.ofSeconds(5)));
        Set<String> own = new HashSet<>();
        own.addAll(words(c.getOptionalValue("mxgate.inet-interfaces", String.class).orElse("127.0.0.1")));
        own.addAll(words(c.getOptionalValue("mxgate.proxy-interfaces", String.class).orElse("")));
        this.hosts = new HostResolver(dns, own, c.getOptionalValue("mxgate.smtp-mx-address-limit", Integer.class)
                .orElse(5), new java.util.Random());
        this.tls = ClientTls.parse(c.getOptionalValue("mxgate.smtp-tls-security-level", String.class).orElse("may"));
        this.reloadTimer = transportTables.isEmpty() ? -1 : vertx.setPeriodic(2000, id -> vertx.executeBlocking(() -> {
            for (ReloadingTable<PostfixTable> table : transportTables) {
                RuntimeException e = table.reload();
                if (e != null) {
                    LOG.warnf("warning: %s: %s; keeping the previous version", table.name(), e.getMessage());
                }
            }
            return null;
        }, false));
    }

    private List<PostfixTable> transportTables() {
        List<PostfixTable> out = new ArrayList<>(transportTables.size());
        for (ReloadingTable<PostfixTable> table : transportTables) {
            out.add(table.get());
        }
        return out;
    }

    private static List<String> words(String list) {
        return list.isBlank() ? List.of() : List.of(list.strip().split("[,\\s]+"));
    }

    void stop(@Observes ShutdownEvent event) {
        if (reloadTimer >= 0) {
            vertx.cancelTimer(reloadTimer);
        }
        virtualTransport.close();
        pools.close();
        dns.close();
    }

    public Future<ProbeResult> probe(MailAddress recipient) {
        AddressClass c = domains.classify(recipient.domain());
        if (c != AddressClass.VIRTUAL_MAILBOX) {
            return routed(recipient);
        }
        String queueId = queueIds.next();
        long started = System.nanoTime();
        return virtualTransport.run(connection -> connection.probe(sender, List.of(recipient))
                        .map(outcomes -> logged(queueId, outcomes.get(0), connection.peer(), connection.relay(), started)))
                .timeout(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
                .recover(failure -> {
                    ClientException e = ClientException.of(failure, ClientState.CONNECT);
                    RecipientResult r = RecipientResult.deferred(recipient, e);
                    LOG.info(DeliveryLog.probeLine(queueId, r, "none", Duration.ofNanos(System.nanoTime() - started)));
                    return Future.succeededFuture(new ProbeResult(VerifyStatus.DEFER, r.reason()));
                });
    }

    /** A probe along the route delivery takes (relay domains, transport_maps entries). */
    private Future<ProbeResult> routed(MailAddress recipient) {
        String queueId = queueIds.next();
        long started = System.nanoTime();
        Route route = resolver.resolve(recipient);
        if (route instanceof Route.Bounce b) {
            return Future.succeededFuture(local(queueId, recipient, RecipientResult.Status.BOUNCED, b.dsn(), b.text(),
                    started));
        }
        if (route instanceof Route.Defer d) {
            return Future.succeededFuture(local(queueId, recipient, RecipientResult.Status.DEFERRED, d.dsn(),
                    d.text(), started));
        }
        if (route instanceof Route.Discard d) {
            return Future.succeededFuture(local(queueId, recipient, RecipientResult.Status.SENT,
                    EnhancedStatus.of(2, 0, 0), d.text(), started));
        }
        Route.Deliver deliver = (Route.Deliver) route;
        ClientProtocol protocol = deliver.lmtp() ? ClientProtocol.LMTP : ClientProtocol.SMTP;
        ClientTls level = deliver.lmtp() ? ClientTls.NONE : tls;
        ClientException[] last = {null};
        HostResolver.Result.Failure[] dnsFailure = {null};
        Future<ProbeResult> chain = Future.succeededFuture(null);
        for (NextHop hop : deliver.nextHops()) {
            chain = chain.compose(done -> done != null ? Future.succeededFuture(done) : hosts.resolve(hop)
                    .compose(result -> {
                        if (result instanceof HostResolver.Result.Failure f) {
                            dnsFailure[0] = f;
                            return Future.succeededFuture(null);
                        }
                        Future<ProbeResult> perHost = Future.succeededFuture(null);
                        for (HostResolver.Host h : ((HostResolver.Result.Hosts) result).hosts()) {
                            perHost = perHost.compose(r -> r != null ? Future.succeededFuture(r) : pools.get(
                                    new ConnectionPools.Endpoint(protocol, h.name(), h.address(), h.port(), level))
                                    .run(connection -> connection.probe(sender, List.of(recipient)).map(outcomes ->
                                            logged(queueId, outcomes.get(0), connection.peer(), connection.relay(),
                                                    started)))
                                    .recover(e -> {
                                        last[0] = ClientException.of(e, ClientState.CONNECT);
                                        return Future.succeededFuture(null);
                                    }));
                        }
                        return perHost;
                    }));
        }
        return chain.timeout(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
                .recover(e -> Future.succeededFuture(null))
                .map(r -> {
                    if (r != null) {
                        return r;
                    }
                    if (last[0] == null && dnsFailure[0] != null) {
                        return local(queueId, recipient, dnsFailure[0].permanent() ? RecipientResult.Status.BOUNCED
                                : RecipientResult.Status.DEFERRED, dnsFailure[0].dsn(), dnsFailure[0].text(), started);
                    }
                    ClientException e = last[0] != null ? last[0] : new ClientException(
                            ClientException.Kind.TIMEOUT, ClientState.CONNECT, "probe timed out");
                    RecipientResult rr = RecipientResult.deferred(recipient, e);
                    LOG.info(DeliveryLog.probeLine(queueId, rr, "none", Duration.ofNanos(System.nanoTime() - started)));
                    return new ProbeResult(VerifyStatus.DEFER, rr.reason());
                });
    }

    private ProbeResult local(String queueId, MailAddress recipient, RecipientResult.Status status,
                              EnhancedStatus dsn, String text, long started) {
        RecipientResult r = new RecipientResult(recipient, status, dsn, text);
        LOG.info(DeliveryLog.probeLine(queueId, r, "none", Duration.ofNanos(System.nanoTime() - started)));
        return new ProbeResult(switch (status) {
            case SENT -> VerifyStatus.OK;
            case DEFERRED -> VerifyStatus.DEFER;
            case BOUNCED -> VerifyStatus.BOUNCE;
        }, text);
    }

    private ProbeResult logged(String queueId, RecipientOutcome outcome, String peer, String relay, long started) {
        RecipientResult r = RecipientResult.of(outcome, peer);
        LOG.info(DeliveryLog.probeLine(queueId, r, relay, Duration.ofNanos(System.nanoTime() - started)));
        VerifyStatus status = switch (r.status()) {
            case SENT -> VerifyStatus.OK;
            case DEFERRED -> VerifyStatus.DEFER;
            case BOUNCED -> VerifyStatus.BOUNCE;
        };
        return new ProbeResult(status, r.reason());
    }
}

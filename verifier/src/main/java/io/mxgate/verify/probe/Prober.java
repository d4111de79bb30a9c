package io.mxgate.verify.probe;

import io.mxgate.core.address.MailAddress;
import io.mxgate.core.client.ClientException;
import io.mxgate.core.client.ClientState;
import io.mxgate.core.client.ClientTimeouts;
import io.mxgate.core.client.ClientProtocol;
import io.mxgate.core.client.TlsPolicies;
import io.mxgate.core.client.TlsPolicy;
import io.mxgate.core.client.TlsRequirement;
import io.mxgate.core.client.ConnectionPools;
import io.mxgate.core.dns.Dns;
import io.mxgate.core.dns.HostResolver;
import io.mxgate.core.routing.RecipientResolver;
import io.mxgate.core.routing.ResolverRuntime;
import io.mxgate.core.routing.Route;
import io.mxgate.core.smtp.EnhancedStatus;
import io.mxgate.core.client.RecipientOutcome;
import io.mxgate.core.delivery.DeliveryLog;
import io.mxgate.core.delivery.RecipientResult;
import io.mxgate.core.envelope.QueueId;
import io.mxgate.core.transport.NextHop;
import io.mxgate.core.verify.VerifyStatus;
import io.mxgate.verify.VerifierConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;

/**
 * Sends address probes the way Postfix's verify(8) has them delivered: through cleanup's alias expansion to the
 * target's real next hop, {@code MAIL FROM:<address_verify_sender>}, {@code RCPT TO}, then RSET; never DATA. Each
 * probe is logged like a delivery, {@code status=deliverable} or {@code status=undeliverable}.
 *
 * <p>The recipient is resolved as every service resolves it (core {@link RecipientResolver}): an alias is probed at
 * its target, an alias of several recipients is "deliverable: aliased to multiple recipients" without a probe (as
 * cleanup_out_recipient.c answers a verification request), a table that cannot answer is DEFER. The target's route
 * decides the probe: virtual mailbox domains over {@code virtual_transport}, relay domains and transport_maps entries
 * along the route queue-worker delivers on (so a backup MX's {@code relay:[primary]} route verifies recipients at the
 * primary), servers tried in MX order until one answers; {@code error:} routes answer BOUNCE, {@code retry:} DEFER,
 * {@code discard:} OK. The fallback relay is not probed (it would accept anything).
 */
@ApplicationScoped
public class Prober {

    private static final Logger LOG = Logger.getLogger("verify");

    /** What the next hop said: the status and Postfix's text for it. */
    public record ProbeResult(VerifyStatus status, String text) {
    }

    private final ResolverRuntime resolution;
    private final ConnectionPools pools;
    private final Dns dns;
    private final HostResolver hosts;
    private final TlsPolicies tlsPolicies;
    private final MailAddress sender;
    private final Duration timeout;
    private final QueueId queueIds = new QueueId(Clock.systemUTC());

    Prober(VerifierConfig config, Vertx vertx) {
        this.timeout = config.addressVerify().probeTimeout();
        this.sender = MailAddress.qualified(config.addressVerify().sender(), config.myhostname());
        this.resolution = new ResolverRuntime(vertx, config.resolution(), config.sql().options(),
                LOG::warn);
        Duration t = timeout;
        ClientTimeouts probeTimeouts = new ClientTimeouts(t, t, t, t, t, t, t, t, t);
        this.pools = new ConnectionPools(vertx, probeTimeouts, probeTimeouts, config.myhostname(),
                Duration.ofSeconds(10));
        this.dns = new Dns(vertx, config.dnsResolver().orElse(null), config.dnsTimeout());
        this.hosts = new HostResolver(dns, new HashSet<>(config.ownAddresses()), config.smtpMxAddressLimit(),
                new java.util.Random(), config.protocols(), config.addressPreference());
        this.tlsPolicies = config.tlsPolicies(resolution.tables(), config.smtpTcpPort());
    }

    void stop(@Observes ShutdownEvent event) {
        resolution.close();
        pools.close();
        dns.close();
    }

    public Future<ProbeResult> probe(MailAddress recipient) {
        String queueId = queueIds.next();
        long started = System.nanoTime();
        return resolution.resolver().resolve(recipient).compose(resolved -> {
            if (resolved instanceof RecipientResolver.Resolution.Failed f) {
                return Future.succeededFuture(local(queueId, recipient, recipient, RecipientResult.Status.DEFERRED,
                        EnhancedStatus.of(4, 3, 0), f.text(), started));
            }
            List<RecipientResolver.Target> targets = ((RecipientResolver.Resolution.Targets) resolved).targets();
            if (targets.size() > 1) {
                return Future.succeededFuture(local(queueId, recipient, recipient, RecipientResult.Status.SENT,
                        EnhancedStatus.of(2, 0, 0), "aliased to multiple recipients", started));
            }
            MailAddress target = targets.get(0).address();
            return targets.get(0).route().dispatch(new Route.Dispatch<Future<ProbeResult>>() {
                public Future<ProbeResult> deliver(Route.Deliver d) {
                    return probe(queueId, recipient, target, d, started);
                }

                public Future<ProbeResult> bounce(Route.Bounce b) {
                    return Future.succeededFuture(local(queueId, recipient, target, RecipientResult.Status.BOUNCED, b.dsn(),
                            b.text(), started));
                }

                public Future<ProbeResult> defer(Route.Defer d) {
                    return Future.succeededFuture(local(queueId, recipient, target, RecipientResult.Status.DEFERRED, d.dsn(),
                            d.text(), started));
                }

                public Future<ProbeResult> discard(Route.Discard d) {
                    return Future.succeededFuture(local(queueId, recipient, target, RecipientResult.Status.SENT,
                            EnhancedStatus.of(2, 0, 0), d.text(), started));
                }
            });
        });
    }

    /** A probe of each next hop's servers in order, until one answers. */
    private Future<ProbeResult> probe(String queueId, MailAddress original, MailAddress recipient, Route.Deliver deliver,
                                      long started) {
        ClientProtocol protocol = deliver.lmtp() ? ClientProtocol.LMTP : ClientProtocol.SMTP;
        ClientException[] last = {null};
        HostResolver.Result.Failure[] dnsFailure = {null};
        Future<ProbeResult> chain = Future.succeededFuture(null);
        for (NextHop hop : deliver.nextHops()) {
            chain = chain.compose(done -> done != null ? Future.succeededFuture(done) : policy(deliver, hop)
                    .transform(p -> {
                        if (p.failed()) {
                            // an unusable TLS policy: the probe defers, as the delivery would (4.7.5)
                            LOG.warn("warning: " + p.cause().getMessage());
                            last[0] = new ClientException(ClientException.Kind.PROTOCOL_ERROR, ClientState.CONNECT,
                                    EnhancedStatus.of(4, 7, 5), "client TLS configuration problem");
                            return Future.<TlsPolicy>failedFuture(p.cause());
                        }
                        return Future.succeededFuture(p.result());
                    })
                    .compose(policy -> hosts.resolve(hop).compose(result -> {
                        if (result instanceof HostResolver.Result.Failure f) {
                            dnsFailure[0] = f;
                            return Future.succeededFuture(null);
                        }
                        Future<ProbeResult> perHost = Future.succeededFuture(null);
                        for (HostResolver.Host h : ((HostResolver.Result.Hosts) result).hosts()) {
                            TlsRequirement level = policy == null ? TlsRequirement.NONE
                                    : tlsPolicies.requirement(policy, h.name(), hop);
                            perHost = perHost.compose(r -> r != null ? Future.succeededFuture(r) : pools.get(
                                    new ConnectionPools.Endpoint(protocol, h.name(), h.address(), h.port(), level))
                                    .run(connection -> connection.probe(sender, List.of(recipient)).map(outcomes ->
                                            logged(queueId, original, outcomes.get(0), connection.peer(), connection.relay(),
                                                    started)))
                                    .recover(e -> {
                                        last[0] = ClientException.of(e, ClientState.CONNECT);
                                        return Future.succeededFuture(null);
                                    }));
                        }
                        return perHost;
                    }))
                    .recover(e -> Future.succeededFuture(null)));
        }
        return chain.timeout(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
                .recover(e -> Future.succeededFuture(null))
                .map(r -> {
                    if (r != null) {
                        return r;
                    }
                    if (last[0] == null && dnsFailure[0] != null) {
                        return local(queueId, original, recipient, dnsFailure[0].permanent() ? RecipientResult.Status.BOUNCED
                                : RecipientResult.Status.DEFERRED, dnsFailure[0].dsn(), dnsFailure[0].text(), started);
                    }
                    ClientException e = last[0] != null ? last[0] : new ClientException(
                            ClientException.Kind.TIMEOUT, ClientState.CONNECT, "probe timed out");
                    RecipientResult rr = RecipientResult.deferred(recipient, e);
                    LOG.info(DeliveryLog.probeLine(queueId, rr, original, "none", Duration.ofNanos(System.nanoTime() - started)));
                    return new ProbeResult(VerifyStatus.DEFER, rr.reason());
                });
    }

    /** The next hop's TLS policy; null for LMTP, which has no TLS. */
    private Future<TlsPolicy> policy(Route.Deliver deliver, NextHop hop) {
        return deliver.lmtp() ? Future.succeededFuture(null) : tlsPolicies.policy(hop);
    }

    private ProbeResult local(String queueId, MailAddress original, MailAddress recipient, RecipientResult.Status status,
                              EnhancedStatus dsn, String text, long started) {
        RecipientResult r = new RecipientResult(recipient, status, dsn, text);
        LOG.info(DeliveryLog.probeLine(queueId, r, original, "none", Duration.ofNanos(System.nanoTime() - started)));
        return new ProbeResult(switch (status) {
            case SENT -> VerifyStatus.OK;
            case DEFERRED -> VerifyStatus.DEFER;
            case BOUNCED -> VerifyStatus.BOUNCE;
        }, text);
    }

    private ProbeResult logged(String queueId, MailAddress original, RecipientOutcome outcome, String peer, String relay, long started) {
        RecipientResult r = RecipientResult.of(outcome, peer);
        LOG.info(DeliveryLog.probeLine(queueId, r, original, relay, Duration.ofNanos(System.nanoTime() - started)));
        VerifyStatus status = switch (r.status()) {
            case SENT -> VerifyStatus.OK;
            case DEFERRED -> VerifyStatus.DEFER;
            case BOUNCED -> VerifyStatus.BOUNCE;
        };
        return new ProbeResult(status, r.reason());
    }
}

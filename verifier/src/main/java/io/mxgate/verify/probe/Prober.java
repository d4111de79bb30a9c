package io.mxgate.verify.probe;

import io.mxgate.core.address.MailAddress;
import io.mxgate.core.client.ClientException;
import io.mxgate.core.client.ClientState;
import io.mxgate.core.client.ClientTimeouts;
import io.mxgate.core.client.ConnectionPool;
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
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * Sends address probes the way Postfix's verify(8) has them delivered: to the address's real next hop,
 * {@code MAIL FROM:<address_verify_sender>}, {@code RCPT TO}, then RSET; never DATA. Each probe is logged like a
 * delivery, {@code status=deliverable} or {@code status=undeliverable}.
 */
@ApplicationScoped
public class Prober {

    private static final Logger LOG = Logger.getLogger("verify");

    /** What the next hop said: the status and Postfix's text for it. */
    public record ProbeResult(VerifyStatus status, String text) {
    }

    private final DomainClasses domains;
    private final ConnectionPool virtualTransport;
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
    }

    void stop(@Observes ShutdownEvent event) {
        virtualTransport.close();
    }

    public Future<ProbeResult> probe(MailAddress recipient) {
        AddressClass c = domains.classify(recipient.domain());
        if (c != AddressClass.VIRTUAL_MAILBOX) {
            return Future.succeededFuture(new ProbeResult(VerifyStatus.DEFER,
                    "mail for " + recipient.domain() + " has no probe route: only virtual_mailbox_domains are probed"));
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

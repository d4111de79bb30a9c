package io.mxgate.delivery.lmtp;

import io.mxgate.core.address.MailAddress;
import io.mxgate.core.client.ClientException;
import io.mxgate.core.client.ClientState;
import io.mxgate.core.client.ConnectionPool;
import io.mxgate.core.client.RecipientOutcome;
import io.mxgate.core.delivery.DeliveryLog;
import io.mxgate.core.delivery.RecipientResult;
import io.mxgate.core.envelope.Envelope;
import io.vertx.core.Future;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Delivers one queued message to the LMTP backend: its recipients in transactions of at most
 * {@code lmtp_destination_recipient_limit}, one reply per recipient, each logged as Postfix's lmtp(8) does.
 * When the backend cannot be reached before anything was delivered, the attempt reports {@link Attempt.BackendDown}
 * and the caller keeps the message where it is, in Kafka.
 */
public final class LmtpAgent {

    private static final Logger LOG = Logger.getLogger("lmtp");

    private final ConnectionPool pool;
    private final int recipientLimit;
    private final Clock clock;

    /** What one attempt came to. */
    public sealed interface Attempt {
        /** Every recipient has a result (sent, deferred or bounced). */
        record Done(List<RecipientResult> results) implements Attempt {
        }

        /** Nothing was delivered: the backend refused the connection or the handshake. */
        record BackendDown(ClientException cause) implements Attempt {
        }
    }

    public LmtpAgent(ConnectionPool pool, int recipientLimit, Clock clock) {
        this.pool = pool;
        this.recipientLimit = recipientLimit;
        this.clock = clock;
    }

    public Future<Attempt> deliver(Envelope envelope, List<MailAddress> recipients, byte[] message,
                                   Instant dequeued) {
        List<RecipientResult> results = new ArrayList<>(recipients.size());
        Future<Attempt> chain = Future.succeededFuture(null);
        for (int i = 0; i < recipients.size(); i += recipientLimit) {
            List<MailAddress> chunk = recipients.subList(i, Math.min(recipients.size(), i + recipientLimit));
            chain = chain.compose(previous -> previous instanceof Attempt.BackendDown
                    ? Future.succeededFuture(previous)
                    : transaction(envelope, chunk, message, dequeued, results.isEmpty()).map(a -> {
                        if (a instanceof Attempt.Done done) {
                            results.addAll(done.results());
                        }
                        return a;
                    }));
        }
        return chain.map(last -> last instanceof Attempt.BackendDown ? last : new Attempt.Done(List.copyOf(results)));
    }

    private Future<Attempt> transaction(Envelope envelope, List<MailAddress> chunk, byte[] message, Instant dequeued,
                                        boolean nothingDeliveredYet) {
        // delays b: from the poll that took the message until this transaction, so earlier chunks count here
        Instant agentStart = clock.instant();
        long started = System.nanoTime();
        return pool.run(connection -> {
            long connected = System.nanoTime();
            return connection.deliver(envelope.sender(), chunk, message.length, message, message.length)
                    .map(outcomes -> done(envelope, outcomes, connection.peer(), connection.relay(),
                            DeliveryLog.Delays.of(envelope.arrival(), dequeued, agentStart,
                                    Duration.ofNanos(connected - started),
                                    Duration.ofNanos(System.nanoTime() - connected))));
        }).recover(failure -> {
            ClientException e = ClientException.of(failure, ClientState.CONNECT);
            return Future.succeededFuture(nothingDeliveredYet && e.beforeTransaction()
                    ? new Attempt.BackendDown(e) : deferAll(envelope, chunk, e,
                    DeliveryLog.Delays.of(envelope.arrival(), dequeued, agentStart, Duration.ZERO, Duration.ZERO)));
        });
    }

    private Attempt done(Envelope envelope, List<RecipientOutcome> outcomes, String peer, String relay,
                         DeliveryLog.Delays delays) {
        List<RecipientResult> results = new ArrayList<>(outcomes.size());
        for (RecipientOutcome o : outcomes) {
            RecipientResult r = RecipientResult.of(o, peer);
            log(envelope, r, relay, delays);
            results.add(r);
        }
        return new Attempt.Done(results);
    }

    private Attempt deferAll(Envelope envelope, List<MailAddress> chunk, ClientException e,
                             DeliveryLog.Delays delays) {
        List<RecipientResult> results = new ArrayList<>(chunk.size());
        for (MailAddress r : chunk) {
            RecipientResult result = RecipientResult.deferred(r, e);
            log(envelope, result, "none", delays);
            results.add(result);
        }
        return new Attempt.Done(results);
    }

    private void log(Envelope envelope, RecipientResult r, String relay, DeliveryLog.Delays delays) {
        LOG.info(DeliveryLog.line(envelope.queueId(), r, envelope.original(r.recipient()), relay,
                Duration.between(envelope.arrival(), clock.instant()), delays));
    }
}

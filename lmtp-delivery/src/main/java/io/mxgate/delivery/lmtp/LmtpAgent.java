package io.mxgate.delivery.lmtp;

import io.mxgate.core.address.MailAddress;
import io.mxgate.core.client.ClientException;
import io.mxgate.core.client.ClientState;
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

    private final LmtpConnectionPool pool;
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

    public LmtpAgent(LmtpConnectionPool pool, int recipientLimit, Clock clock) {
        this.pool = pool;
        this.recipientLimit = recipientLimit;
        this.clock = clock;
    }

    public Future<Attempt> deliver(Envelope envelope, List<MailAddress> recipients, byte[] message,
                                   Instant dequeued) {
        List<List<MailAddress>> chunks = new ArrayList<>();
        for (int i = 0; i < recipients.size(); i += recipientLimit) {
            chunks.add(recipients.subList(i, Math.min(recipients.size(), i + recipientLimit)));
        }
        List<RecipientResult> results = new ArrayList<>(recipients.size());
        Future<Attempt> chain = Future.succeededFuture(null);
        for (List<MailAddress> chunk : chunks) {
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
        long started = System.nanoTime();
        return pool.acquire().transform(acquired -> {
            if (acquired.failed()) {
                ClientException e = asClientException(acquired.cause());
                if (nothingDeliveredYet) {
                    return Future.succeededFuture(new Attempt.BackendDown(e));
                }
                return Future.succeededFuture(deferAll(envelope, chunk, e, dequeued));
            }
            long connected = System.nanoTime();
            return send(acquired.result(), envelope, chunk, message).transform(sent -> {
                if (sent.succeeded()) {
                    return Future.succeededFuture(done(envelope, sent.result(), acquired.result().connection().relay(),
                            dequeued, Duration.ofNanos(connected - started), Duration.ofNanos(System.nanoTime() - connected)));
                }
                ClientException e = asClientException(sent.cause());
                if (isStaleCachedConnection(acquired.result(), e)) {
                    return pool.openNew().compose(fresh -> send(fresh, envelope, chunk, message)
                            .map(outcomes -> done(envelope, outcomes, fresh.connection().relay(), dequeued,
                                    Duration.ofNanos(connected - started), Duration.ofNanos(System.nanoTime() - connected))))
                            .recover(again -> Future.succeededFuture(
                                    deferAll(envelope, chunk, asClientException(again), dequeued)));
                }
                return Future.succeededFuture(deferAll(envelope, chunk, e, dequeued));
            });
        });
    }

    private Future<List<RecipientOutcome>> send(LmtpConnectionPool.Lease lease, Envelope envelope,
                                                List<MailAddress> chunk, byte[] message) {
        return lease.connection().deliver(envelope.sender(), chunk, message.length, message, message.length)
                .onComplete(ar -> pool.release(lease.connection()));
    }

    /** The server closed a connection while it idled in the cache: try once more on a new one (as Postfix does). */
    private static boolean isStaleCachedConnection(LmtpConnectionPool.Lease lease, ClientException e) {
        return lease.reused() && e.state() == ClientState.MAIL && e.kind() != ClientException.Kind.TIMEOUT;
    }

    private Attempt done(Envelope envelope, List<RecipientOutcome> outcomes, String relay, Instant dequeued,
                         Duration connect, Duration transmit) {
        List<RecipientResult> results = new ArrayList<>(outcomes.size());
        for (RecipientOutcome o : outcomes) {
            RecipientResult r = RecipientResult.of(o, relay);
            log(envelope, r, relay, dequeued, connect, transmit);
            results.add(r);
        }
        return new Attempt.Done(results);
    }

    private Attempt deferAll(Envelope envelope, List<MailAddress> chunk, ClientException e, Instant dequeued) {
        List<RecipientResult> results = new ArrayList<>(chunk.size());
        for (MailAddress r : chunk) {
            RecipientResult result = RecipientResult.deferred(r, e);
            log(envelope, result, "none", dequeued, Duration.ZERO, Duration.ZERO);
            results.add(result);
        }
        return new Attempt.Done(results);
    }

    private void log(Envelope envelope, RecipientResult r, String relay, Instant dequeued, Duration connect,
                     Duration transmit) {
        Instant now = clock.instant();
        LOG.info(DeliveryLog.line(envelope.queueId(), r, relay, Duration.between(envelope.arrival(), now),
                Duration.between(envelope.arrival(), dequeued), connect, transmit));
    }

    private static ClientException asClientException(Throwable t) {
        return t instanceof ClientException c ? c
                : new ClientException(ClientException.Kind.PROTOCOL_ERROR, ClientState.CONNECT, String.valueOf(t));
    }
}

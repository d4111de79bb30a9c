package io.mxgate.verify;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.mxgate.core.address.MailAddress;
import io.mxgate.core.verify.VerifyAnswer;
import io.mxgate.core.verify.VerifyStatus;
import io.mxgate.verify.cache.VerifyCache;
import io.mxgate.verify.cache.VerifyEntry;
import io.mxgate.verify.cache.VerifyPolicy;
import io.mxgate.verify.probe.Prober;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Answers "may this recipient be accepted?" (Postfix's verify query) from the Redis cache, and probes on a miss or
 * when an entry is due for refresh. One probe per address at a time across every replica (a Redis lock with a
 * lease); a query that finds no usable answer waits for the probe up to {@code poll-count x poll-delay}: for its
 * own probe directly, for another replica's by re-reading the cache. Past the budget it answers TODO ("Address
 * verification in progress") and the probe's result serves the next query.
 */
@ApplicationScoped
public class VerifyService {

    private static final Logger LOG = Logger.getLogger("verify");

    private final VerifyCache cache;
    private final Prober prober;
    private final VerifyPolicy policy;
    private final Clock clock = Clock.systemUTC();
    private final String owner = UUID.randomUUID().toString();
    private final long leaseMillis;
    private final int pollCount;
    private final Duration pollDelay;
    private final MeterRegistry metrics;
    private final Timer probeLatency;
    /** Probes this replica runs now, so local askers share one result without polling. */
    private final ConcurrentHashMap<String, CompletableFuture<VerifyAnswer>> inFlight = new ConcurrentHashMap<>();

    VerifyService(VerifierConfig config, VerifyCache cache, Prober prober, MeterRegistry metrics) {
        VerifierConfig.AddressVerify v = config.addressVerify();
        this.cache = cache;
        this.prober = prober;
        this.leaseMillis = v.probeTimeout().toMillis() + 5_000;
        this.policy = new VerifyPolicy(v.positiveRefreshTime(), v.positiveExpireTime(), v.negativeRefreshTime(),
                v.negativeExpireTime(), Duration.ofMillis(leaseMillis), v.negativeCache());
        this.pollCount = v.pollCount();
        this.pollDelay = v.pollDelay();
        this.metrics = metrics;
        this.probeLatency = Timer.builder("mxgate.verify.probe.latency").register(metrics);
    }

    public Uni<VerifyAnswer> verify(MailAddress address) {
        String key = address.toString();
        long now = clock.millis();
        return cache.get(key).chain(stored -> {
            VerifyPolicy.View view = policy.onQuery(stored, now);
            metrics.counter("mxgate.verify.queries", "cache", view.answer().status() == VerifyStatus.TODO ? "miss" : "hit")
                    .increment();
            Uni<Void> purge = view.purge() ? cache.delete(key).replaceWithVoid() : Uni.createFrom().voidItem();
            return purge.chain(() -> view.probe() ? startProbe(address, stored, view.markProbed())
                            : Uni.createFrom().voidItem())
                    .chain(() -> view.answer().status() == VerifyStatus.TODO ? awaitAnswer(key, now)
                            : Uni.createFrom().item(view.answer()));
        });
    }

    /** Takes the lock and, if this replica won it, runs the probe in the background. */
    private Uni<Void> startProbe(MailAddress address, VerifyEntry stored, VerifyEntry markProbed) {
        String key = address.toString();
        return cache.lock(key, owner, leaseMillis).chain(won -> {
            if (!won) {
                return Uni.createFrom().voidItem();
            }
            CompletableFuture<VerifyAnswer> result = new CompletableFuture<>();
            if (inFlight.putIfAbsent(key, result) != null) {
                return Uni.createFrom().voidItem();
            }
            Uni<Void> mark = markProbed == null ? Uni.createFrom().voidItem()
                    : cache.put(key, markProbed, policy.ttlMillis(markProbed));
            return mark.invoke(() -> runProbe(address, stored, result));
        });
    }

    private void runProbe(MailAddress address, VerifyEntry stored, CompletableFuture<VerifyAnswer> result) {
        String key = address.toString();
        Timer.Sample sample = Timer.start(metrics);
        Uni.createFrom().completionStage(() -> prober.probe(address).toCompletionStage())
                .chain(probe -> {
                    sample.stop(probeLatency);
                    metrics.counter("mxgate.verify.probes", "status", probe.status().name()).increment();
                    VerifyEntry next = policy.onResult(stored, probe.status(), probe.text(), clock.millis());
                    VerifyAnswer answer = new VerifyAnswer(probe.status(), probe.text(), false);
                    Uni<Void> write = next == null ? Uni.createFrom().voidItem()
                            : cache.put(key, next, policy.ttlMillis(next));
                    return write.replaceWith(answer);
                })
                .eventually(() -> cache.unlock(key))
                .subscribe().with(answer -> {
                    inFlight.remove(key);
                    result.complete(answer);
                }, failure -> {
                    inFlight.remove(key);
                    LOG.warnf("warning: probe of %s: %s", key, failure.toString());
                    result.complete(VerifyAnswer.inProgress());
                });
    }

    /** Waits up to the poll budget for a probe's result: this replica's own, or another's via the cache. */
    private Uni<VerifyAnswer> awaitAnswer(String key, long since) {
        Duration budget = pollDelay.multipliedBy(pollCount);
        CompletableFuture<VerifyAnswer> local = inFlight.get(key);
        if (local != null) {
            // each asker waits on a copy: Mutiny cancels the stage it waited on when the budget runs out, and the
            // shared future must still complete for the other askers
            return Uni.createFrom().completionStage(local.copy()).ifNoItem().after(budget)
                    .recoverWithItem(VerifyAnswer.inProgress());
        }
        return poll(key, since, pollCount);
    }

    /** Re-reads the cache until an entry stored at or after {@code since} appears. */
    private Uni<VerifyAnswer> poll(String key, long since, int remaining) {
        if (remaining <= 0) {
            return Uni.createFrom().item(VerifyAnswer.inProgress());
        }
        return Uni.createFrom().voidItem().onItem().delayIt().by(pollDelay)
                .chain(() -> cache.get(key))
                .chain(entry -> entry != null && entry.updated() >= since
                        ? Uni.createFrom().item(new VerifyAnswer(entry.status(), entry.text(), false))
                        : poll(key, since, remaining - 1));
    }
}

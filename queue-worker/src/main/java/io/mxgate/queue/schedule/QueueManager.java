package io.mxgate.queue.schedule;

import io.micrometer.core.instrument.MeterRegistry;
import io.mxgate.core.address.MailAddress;
import io.mxgate.core.dsn.RecipientStatus;
import io.mxgate.core.envelope.Envelope;
import io.mxgate.core.envelope.EnvelopeCodec;
import io.mxgate.core.smtp.EnhancedStatus;
import io.mxgate.core.kafka.QueueRecords;
import io.mxgate.queue.Outcome;
import io.mxgate.queue.QueueWorkerConfig;
import io.mxgate.queue.RetrySchedule;
import io.mxgate.queue.bounce.Notifier;
import io.mxgate.queue.delivery.Delivery;
import io.mxgate.queue.kafka.Kafka;
import io.mxgate.queue.smtp.SmtpAgent;
import io.mxgate.queue.store.QueueEntry;
import io.mxgate.queue.store.QueueStore;
import io.mxgate.queue.store.StateLog;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Postfix's qmgr(8) over the shared queue index: claims due entries (at most {@code qmgr_message_active_limit} at a
 * time on this replica, each with a lease it renews), reads their messages from Kafka, hands them to
 * {@link Delivery}, and records the outcome: delivered and bounced recipients leave the entry (bounces as a DSN,
 * queued before the entry changes), deferred ones stay with a new due time from {@link RetrySchedule}, or are
 * returned once the queue lifetime is over. The deferred queue is scanned every {@code queue_run_delay}; new mail
 * and flushes wake the scan at once. Entries of a replica that died come back when their lease runs out.
 * Before an entry loses recipients in Redis, a {@link io.mxgate.queue.store.QueueMark} says so in Kafka, so that an
 * index rebuilt from the topics does not deliver them again (ADR 0010).
 */
@ApplicationScoped
public class QueueManager {

    private static final Logger LOG = Logger.getLogger("qmgr");
    private static final int CLAIM_BATCH = 100;
    /** A body that Kafka no longer has, or that is another message's: returned to the sender (ADR 0010). */
    private static final EnhancedStatus CONTENT_LOST = EnhancedStatus.of(5, 3, 0);

    private final QueueWorkerConfig config;
    private final QueueStore store;
    private final Delivery delivery;
    private final Notifier notifier;
    private final SmtpAgent smtp;
    private final StateLog stateLog;
    private final Kafka kafka;
    private final MeterRegistry metrics;
    private final Clock clock = Clock.systemUTC();
    private final String token = UUID.randomUUID().toString();
    private final Map<String, QueueEntry> inFlight = new ConcurrentHashMap<>();
    private final Semaphore wake = new Semaphore(0);
    private RetrySchedule schedule;
    private Semaphore slots;
    private BodyReader reader;
    private ExecutorService finisher;
    private java.util.concurrent.ScheduledExecutorService leases;
    private volatile Thread thread;
    private volatile boolean running = true;

    QueueManager(QueueWorkerConfig config, QueueStore store, Delivery delivery, Notifier notifier, SmtpAgent smtp,
                 StateLog stateLog, Kafka kafka, MeterRegistry metrics) {
        this.config = config;
        this.store = store;
        this.delivery = delivery;
        this.notifier = notifier;
        this.smtp = smtp;
        this.stateLog = stateLog;
        this.kafka = kafka;
        this.metrics = metrics;
    }

    void start(@Observes @Priority(20) StartupEvent event) {
        schedule = RetrySchedule.of(config);
        slots = new Semaphore(Math.max(1, config.qmgrMessageActiveLimit()));
        reader = new BodyReader(kafka);
        finisher = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "qmgr-done");
            t.setDaemon(true);
            return t;
        });
        // leases are renewed on a thread of their own: the scan loop can wait up to 10 s for bodies from Kafka,
        // longer than a short lease, and an entry whose lease ran out meanwhile would be claimed and delivered twice
        Duration lease = config.queueLeaseTime();
        leases = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "qmgr-lease");
            t.setDaemon(true);
            return t;
        });
        long renewEvery = Math.max(200, lease.toMillis() / 3);
        leases.scheduleWithFixedDelay(() -> renewAndRecover(lease), 0, renewEvery, TimeUnit.MILLISECONDS);
        thread = new Thread(this::run, "qmgr");
        thread.start();
        LOG.infof("daemon started -- queue_run_delay %ss, backoff %ss..%ss, maximal_queue_lifetime %ss",
                config.queueRunDelay().toSeconds(), config.minimalBackoffTime().toSeconds(),
                config.maximalBackoffTime().toSeconds(), config.maximalQueueLifetime().toSeconds());
    }

    /** Stops claiming, lets the deliveries under way finish and record their outcome (20 s at most). */
    void stop(@Observes @Priority(2) ShutdownEvent event) throws InterruptedException {
        running = false;
        wake.release();
        if (thread != null) {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        }
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!inFlight.isEmpty() && System.nanoTime() < end) {
            Thread.sleep(100);
        }
        if (finisher != null) {
            finisher.shutdown();
            finisher.awaitTermination(30, TimeUnit.SECONDS);
        }
        if (leases != null) {
            leases.shutdownNow();
        }
    }

    /** False when the scan loop has ended without being stopped (an error it could not survive). */
    public boolean loopAlive() {
        Thread t = thread;
        return t == null || !running || t.isAlive();
    }

    public RetrySchedule schedule() {
        return schedule;
    }

    /** Scan now (new mail was queued, or an admin flushed). */
    public void wake() {
        wake.release();
    }

    /** A record the intake just indexed, so its first attempt does not read it from Kafka again. */
    public void offer(String entryId, ConsumerRecord<String, byte[]> record) {
        BodyReader r = reader;
        if (r != null) {
            r.offer(entryId, record);
        }
    }

    /** postqueue -f: every deferred entry is due now, dead destinations are forgotten. */
    public long flush() {
        smtp.forgetDeadDestinations();
        long n = store.flushAll(clock.instant());
        wake();
        return n;
    }

    /**
     * postqueue -i / postsuper -h, -H, -d for one message; returns {entries changed, message gone}. A delete is
     * marked in Kafka first (else a rebuilt index would bring the message back); throws when Kafka did not take it.
     */
    public long[] message(QueueStore.Op op, String queueId) throws Exception {
        if (op == QueueStore.Op.FLUSH) {
            smtp.forgetDeadDestinations();
        }
        if (op == QueueStore.Op.DELETE) {
            List<String> ids = store.entryIds(queueId);
            if (!ids.isEmpty()) {
                stateLog.done(queueId, ids);
            }
        }
        long[] r = store.message(op, queueId, clock.instant());
        Logger postsuper = Logger.getLogger("postsuper");
        if (r[0] > 0) {
            switch (op) {
                case HOLD -> postsuper.infof("%s: placed on hold", queueId);
                case RELEASE -> postsuper.infof("%s: released from hold", queueId);
                case DELETE -> postsuper.infof("%s: removed", queueId);
                default -> { }
            }
        }
        if (op == QueueStore.Op.FLUSH || op == QueueStore.Op.RELEASE) {
            wake();
        }
        return r;
    }

    /**
     * This replica's leases first, then the entries of replicas whose leases ran out: in the other order an entry
     * of ours that missed a renewal would be returned, claimed again and delivered twice.
     */
    private void renewAndRecover(Duration lease) {
        try {
            store.renew(new ArrayList<>(inFlight.keySet()), clock.instant().plus(lease));
            long recovered = store.recover(clock.instant());
            if (recovered > 0) {
                LOG.infof("%d queue entries returned from a replica whose lease ran out", recovered);
                wake();
            }
        } catch (RuntimeException e) {
            LOG.warnf("warning: cannot renew queue leases: %s; trying again", e.toString());
        }
    }

    private void run() {
        Duration lease = config.queueLeaseTime();
        long nextScan = 0;
        boolean woken = true;
        while (running) {
            try {
                long now = clock.millis();
                if (woken || now >= nextScan) {
                    nextScan = now + config.queueRunDelay().toMillis();
                    woken = false;
                    if (scan(lease) > 0) {
                        woken = true;  // more may be due: claim again until nothing is, or the slots are full
                        continue;
                    }
                }
                long sleep = Math.max(10, nextScan - clock.millis());
                if (wake.tryAcquire(sleep, TimeUnit.MILLISECONDS)) {
                    wake.drainPermits();
                    woken = true;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.warnf("warning: queue scan failed: %s; trying again in 1 s", e.toString());
                sleepQuietly(1000);
                woken = true;
            }
        }
        reader.close();
    }

    /** Claims what is due and free slots allow, starts the deliveries; returns how many were claimed. */
    private int scan(Duration lease) {
        int free = slots.availablePermits();
        if (free == 0) {
            return 0;
        }
        Instant now = clock.instant();
        List<QueueEntry> claimed = store.claim(now, now.plus(lease), Math.min(free, CLAIM_BATCH), token);
        if (claimed.isEmpty()) {
            return 0;
        }
        List<QueueEntry> fresh = new ArrayList<>(claimed.size());
        for (QueueEntry e : claimed) {
            if (inFlight.putIfAbsent(e.id(), e) == null) {
                fresh.add(e);
            } else {
                // the index was rebuilt while this replica delivers the entry: it is active again under this
                // replica's token, so the delivery under way records its outcome there; a second one would repeat it
                LOG.infof("%s: queue entry %s was indexed again while its delivery is under way here",
                        e.queueId(), e.id());
            }
        }
        Map<String, BodyReader.Body> bodies = reader.read(fresh, Duration.ofSeconds(10));
        for (QueueEntry e : fresh) {
            slots.acquireUninterruptibly();
            start(e, bodies.get(e.id()), now);
        }
        return claimed.size();
    }

    private void start(QueueEntry e, BodyReader.Body body, Instant dequeued) {
        if (body instanceof BodyReader.Body.Found found) {
            Envelope envelope;
            try {
                envelope = QueueRecords.envelope(found.record());
            } catch (EnvelopeCodec.MalformedEnvelopeException ex) {
                LOG.errorf("%s: cannot read the envelope of %s (%s); queue entry removed", e.queueId(), e.id(),
                        ex.getMessage());
                finisher.execute(() -> done(e, () -> record(e, List.of(), e.attempts(), clock.instant())));
                return;
            }
            String other = otherMessage(e, envelope);
            if (other != null) {
                finisher.execute(() -> done(e, () -> returnLost(e, other)));
                return;
            }
            byte[] message = found.record().value();
            LOG.infof("%s: from=%s, size=%d, nrcpt=%d (queue active)", e.queueId(), e.sender().bracketed(),
                    message.length, e.recipients().size());
            delivery.deliver(envelope, e.recipients(), message, dequeued).onComplete(ar -> finisher.execute(() ->
                    done(e, () -> finish(e, envelope, message, ar.succeeded() ? ar.result() : List.of()))));
        } else if (body instanceof BodyReader.Body.Gone gone) {
            finisher.execute(() -> done(e, () -> returnLost(e, gone.why())));
        } else {
            String why = body instanceof BodyReader.Body.Unavailable u ? u.why() : "not read";
            LOG.warnf("warning: %s: %s; will try again", e.queueId(), why);
            finisher.execute(() -> done(e, () -> store.finish(e, e.recipients(), e.attempts(),
                    clock.instant().plus(config.queueRunDelay()))));
        }
    }

    /**
     * Why the record an entry points at is not the entry's message, or null when it is. The topic was recreated (its
     * offsets reused), or the index is not this Kafka's: never deliver another message's body to these recipients.
     */
    static String otherMessage(QueueEntry e, Envelope envelope) {
        return envelope.queueId().equals(e.queueId()) ? null
                : e.id() + " holds message " + envelope.queueId() + ", not " + e.queueId();
    }

    private void done(QueueEntry e, java.util.function.Supplier<QueueStore.Finish> work) {
        try {
            QueueStore.Finish f = work.get();
            if (f == QueueStore.Finish.MESSAGE_REMOVED) {
                LOG.infof("%s: removed", e.queueId());
            } else if (f == QueueStore.Finish.LOST) {
                LOG.warnf("warning: %s: queue entry %s was taken over by another replica meanwhile", e.queueId(),
                        e.id());
            }
        } catch (RuntimeException ex) {
            LOG.warnf("warning: %s: cannot record the outcome (%s); the entry returns when its lease runs out",
                    e.queueId(), ex.toString());
        } finally {
            inFlight.remove(e.id());
            slots.release();
            wake();
        }
    }

    /** Records one attempt's outcome; DSNs are queued before the entry changes. */
    private QueueStore.Finish finish(QueueEntry e, Envelope envelope, byte[] message, List<Outcome> outcomes) {
        Instant now = clock.instant();
        List<RecipientStatus> deferred = new ArrayList<>();
        List<RecipientStatus> bounced = new ArrayList<>();
        for (Outcome o : outcomes) {
            metrics.counter("mxgate.queue.recipients", "status", o.kind().logWord()).increment();
            if (o instanceof Outcome.Deferred) {
                deferred.add(o.status());
            } else if (o instanceof Outcome.Bounced) {
                bounced.add(o.status());
            }
        }
        if (outcomes.isEmpty()) {
            deferred.addAll(e.recipients());
        }
        boolean nullSender = envelope.sender().isNullSender();
        if (!deferred.isEmpty() && schedule.expired(envelope.arrival(), now, nullSender)) {
            LOG.infof("%s: from=%s, status=expired, returned to sender", e.queueId(), envelope.sender().bracketed());
            metrics.counter("mxgate.queue.recipients", "status", "expired").increment(deferred.size());
            bounced.addAll(deferred);
            deferred.clear();
        }
        if (!bounced.isEmpty()) {
            try {
                notifier.failure(envelope, bounced, message);
            } catch (Exception ex) {
                LOG.warnf("warning: %s: cannot queue the non-delivery notification (%s); will try again",
                        e.queueId(), ex.toString());
                deferred.addAll(bounced);
            }
        }
        if (!deferred.isEmpty() && schedule.warningDue(envelope.arrival(), now, nullSender)
                && store.markWarned(e.queueId(), schedule.lifetime(false).plus(Duration.ofDays(1)))) {
            try {
                notifier.delay(envelope, deferred, message);
            } catch (Exception ex) {
                LOG.warnf("warning: %s: cannot queue the delay notification (%s)", e.queueId(), ex.toString());
            }
        }
        return record(e, deferred, e.attempts() + 1, schedule.nextAttempt(envelope.arrival(), now));
    }

    /**
     * The entry's message is not in Kafka (retention, a recreated topic): Postfix would have its queue file, we do
     * not, so every recipient is returned to the sender with a DSN that carries no content.
     */
    private QueueStore.Finish returnLost(QueueEntry e, String why) {
        LOG.errorf("%s: message lost from Kafka: %s (Kafka's retention must exceed maximal_queue_lifetime)",
                e.queueId(), why);
        String reason = "message content lost from the queue";
        List<RecipientStatus> failed = new ArrayList<>();
        Map<MailAddress, MailAddress> originals = new HashMap<>();
        for (RecipientStatus r : e.recipients()) {
            failed.add(r.withStatus(CONTENT_LOST, reason, "", ""));
            originals.put(r.recipient(), r.original());
            LOG.infof("%s: to=<%s>, relay=none, status=bounced (%s)", e.queueId(), r.recipient(), reason);
        }
        Envelope envelope = new Envelope(e.queueId(), e.arrival(), e.sender(),
                failed.stream().map(RecipientStatus::recipient).toList(),
                new Envelope.Client("localhost", "127.0.0.1", config.myhostname(), "kafka"), e.attempts(), reason,
                originals, Map.of());
        try {
            notifier.failure(envelope, failed, new byte[0]);
        } catch (Exception ex) {
            LOG.warnf("warning: %s: cannot queue the non-delivery notification (%s); will try again", e.queueId(),
                    ex.toString());
            return store.finish(e, e.recipients(), e.attempts(), clock.instant().plus(config.queueRunDelay()));
        }
        return record(e, List.of(), e.attempts() + 1, clock.instant());
    }

    /**
     * Ends an attempt in the index. When recipients leave the entry, Kafka is told first: a Redis that loses the
     * change then costs nothing after a rebuild. If Kafka does not take the mark the entry still changes in Redis
     * (repeating a delivery now would be certain; without the mark it happens only if the index is lost).
     */
    private QueueStore.Finish record(QueueEntry e, List<RecipientStatus> remaining, int attempts, Instant due) {
        if (remaining.size() < e.recipients().size()) {
            try {
                stateLog.mark(e, remaining, attempts);
            } catch (Exception ex) {
                LOG.warnf("warning: %s: cannot mark %s in the queue state topic (%s); a rebuilt queue index would "
                        + "deliver its finished recipients again", e.queueId(), e.id(), ex.toString());
            }
        }
        return store.finish(e, remaining, attempts, due);
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

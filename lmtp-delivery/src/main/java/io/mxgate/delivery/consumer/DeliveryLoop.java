package io.mxgate.delivery.consumer;

import io.mxgate.delivery.consumer.CommitPolicy.Outcome;
import io.mxgate.delivery.consumer.RecordRouter.Routed;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.RetriableException;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The poll/commit loop (ADR 0003), on one thread of its own. A poll's records are routed concurrently (up to
 * {@code lmtp_destination_concurrency_limit}); then every follow-up record is acknowledged by Kafka, and only then
 * are offsets committed as {@link CommitPolicy} says.
 *
 * <p>While a poll's records are under way, the loop commits each partition's done prefix about every
 * {@link #PROGRESS} (asynchronously; the settle at the end commits synchronously): a kill -9 then repeats only what
 * was delivered since, not the whole poll, whose slowest record may take minutes.
 *
 * <p>While deliveries are under way the loop keeps calling {@code poll} on paused partitions, about once a second:
 * a slow backend (the final dot may wait {@code lmtp_data_done_timeout}, 600 s, per recipient) can then never exceed
 * {@code max.poll.interval.ms} and get the consumer evicted from its group.
 *
 * <p>{@link #stop} (SIGTERM) never calls {@code wakeup()}: a pending wakeup would make the commit after a finished
 * batch throw, and the batch would be delivered again after the restart. Instead the loop stops starting records,
 * lets the deliveries under way finish for at most the drain timeout, writes their follow-ups, commits and closes.
 */
final class DeliveryLoop implements Runnable {

    private static final Logger LOG = Logger.getLogger("qmgr");
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration KEEP_ALIVE = Duration.ofSeconds(1);
    private static final Duration PROGRESS = Duration.ofMillis(100);
    private static final Routed SKIPPED = new Routed.Done(List.of(), false);
    private static final Routed NOT_STARTED = new Routed.Hold("not started", false);

    private final Consumer<String, byte[]> consumer;
    private final Producer<String, byte[]> producer;
    private final RecordRouter router;
    private final List<String> topics;
    private final int concurrency;
    private final Duration ackTimeout;
    private final Duration drainTimeout;
    private final Duration retryMaxDelay;
    private final Clock clock;

    /** Records delivered past a held one of their partition (CommitPolicy): skipped when the seek brings them back. */
    private final Map<TopicPartition, Set<Long>> deliveredAhead = new HashMap<>();
    private final CountDownLatch stopSignal = new CountDownLatch(1);
    private volatile boolean stopping;
    private volatile long stopDeadline;
    private volatile String backendProblem;
    /** The batch under way, or null; touched by the loop thread only (rebalance callbacks run inside its poll). */
    private Batch inFlight;
    private boolean holding;

    DeliveryLoop(Consumer<String, byte[]> consumer, Producer<String, byte[]> producer, RecordRouter router,
                 List<String> topics, int concurrency, Duration ackTimeout, Duration drainTimeout,
                 Duration retryMaxDelay, Clock clock) {
        this.consumer = consumer;
        this.producer = producer;
        this.router = router;
        this.topics = topics;
        this.concurrency = concurrency;
        this.ackTimeout = ackTimeout;
        this.drainTimeout = drainTimeout;
        this.retryMaxDelay = retryMaxDelay;
        this.clock = clock;
    }

    /**
     * The consumer's {@code max.poll.interval.ms}. The loop polls at least every {@link #KEEP_ALIVE} while it delivers
     * or waits for the backend, so the longest stretch without a poll is a revocation (it waits up to the drain
     * timeout for the batch under way, then writes its follow-ups and commits, each bounded by the ack timeout) or
     * the settling of a batch (the same two acks). Past this the group would evict the consumer and its commit fail.
     */
    static Duration maxPollInterval(Duration drainTimeout, Duration ackTimeout) {
        return drainTimeout.plus(ackTimeout.multipliedBy(2)).plusSeconds(30);
    }

    /** SIGTERM: no new records; the deliveries under way get {@code drainTimeout} to finish, then commit and close. */
    void stop() {
        stopDeadline = System.nanoTime() + drainTimeout.toNanos();
        stopping = true;
        stopSignal.countDown();
        LOG.infof("draining: finishing the deliveries under way (at most %d s), then committing",
                drainTimeout.toSeconds());
    }

    /** How long the thread running this loop may still take after {@link #stop}. */
    Duration stopTimeout() {
        return drainTimeout.plus(ackTimeout.multipliedBy(2)).plusSeconds(10);
    }

    String backendProblem() {
        return backendProblem;
    }

    @Override
    public void run() {
        long pause = 0;
        try {
            consumer.subscribe(topics, new Rebalance());
            while (!stopping) {
                ConsumerRecords<String, byte[]> records = consumer.poll(POLL);
                if (records.isEmpty() || stopping) {
                    continue; // records polled as the stop came were not started: the next owner reads them
                }
                Batch batch = start(records);
                await(batch);
                settle(batch);
                inFlight = null;
                holding = false;
                consumer.resume(consumer.paused());
                if (batch.backendDown.get()) {
                    pause = nextPause(pause);
                    LOG.infof("warning: LMTP backend unavailable (%s); mail stays queued, next try in %d ms",
                            backendProblem, pause);
                    idle(Duration.ofMillis(pause));
                } else {
                    pause = 0;
                    backendProblem = null;
                }
            }
            LOG.info("stopped: deliveries under way finished and committed");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("fatal: delivery loop stopped: " + e, e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private long nextPause(long pause) {
        long max = retryMaxDelay.toMillis();
        return pause == 0 ? Math.min(1000, max) : Math.min(max, pause * 2);
    }

    /** One poll's records in flight: their results arrive on Vert.x threads. */
    private static final class Batch {
        final List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        final List<Boolean> skip = new ArrayList<>();
        final AtomicReferenceArray<Routed> results;
        /** Per record, its follow-ups' acks once written (by {@link #progress} or {@link #settle}), else null. */
        final List<List<Future<RecordMetadata>>> acks;
        /** Per record, whether it was found done (its {@code removed} line, if any, is logged then). */
        final boolean[] done;
        /** Per partition, the offset {@link #progress} last committed. */
        final Map<TopicPartition, Long> committed = new HashMap<>();
        final Set<TopicPartition> held = ConcurrentHashMap.newKeySet();
        final AtomicInteger next = new AtomicInteger();
        final AtomicBoolean backendDown = new AtomicBoolean();
        final CountDownLatch finished;
        final Instant dequeued;
        boolean settled;

        Batch(ConsumerRecords<String, byte[]> polled, int workers, Instant dequeued,
              Map<TopicPartition, Set<Long>> deliveredAhead) {
            for (ConsumerRecord<String, byte[]> r : polled) {
                records.add(r);
                Set<Long> ahead = deliveredAhead.get(new TopicPartition(r.topic(), r.partition()));
                skip.add(ahead != null && ahead.contains(r.offset()));
            }
            results = new AtomicReferenceArray<>(records.size());
            acks = new ArrayList<>(java.util.Collections.nCopies(records.size(), null));
            done = new boolean[records.size()];
            finished = new CountDownLatch(Math.min(workers, records.size()));
            this.dequeued = dequeued;
        }
    }

    private Batch start(ConsumerRecords<String, byte[]> records) {
        Batch batch = new Batch(records, concurrency, clock.instant(), deliveredAhead);
        inFlight = batch;
        holding = true;
        for (long w = batch.finished.getCount(); w > 0; w--) {
            work(batch);
        }
        return batch;
    }

    /**
     * One worker: takes the batch's next record until none is left. Nothing is started after a held record of the
     * same partition, after the backend was found down, or once stopping: those records are read again later.
     */
    private void work(Batch batch) {
        while (true) {
            int i = batch.next.getAndIncrement();
            if (i >= batch.records.size()) {
                batch.finished.countDown();
                return;
            }
            ConsumerRecord<String, byte[]> r = batch.records.get(i);
            TopicPartition tp = new TopicPartition(r.topic(), r.partition());
            if (batch.skip.get(i)) {
                batch.results.set(i, SKIPPED);
                continue;
            }
            if (stopping || batch.backendDown.get() || batch.held.contains(tp)) {
                batch.results.set(i, NOT_STARTED);
                continue;
            }
            io.vertx.core.Future<Routed> routed;
            try {
                routed = router.route(r, batch.dequeued);
            } catch (RuntimeException e) {
                routed = io.vertx.core.Future.failedFuture(e);
            }
            routed.onComplete(ar -> {
                Routed result = ar.succeeded() ? ar.result() : new Routed.Hold(String.valueOf(ar.cause()), false);
                if (result instanceof Routed.Hold hold) {
                    batch.held.add(tp);
                    if (hold.backendDown()) {
                        backendProblem = hold.why();
                        batch.backendDown.set(true);
                    } else if (ar.failed()) {
                        LOG.warnf("warning: %s: delivery attempt failed (%s); will retry the message", r.key(),
                                hold.why());
                    }
                }
                batch.results.set(i, result);
                work(batch);
            });
            return;
        }
    }

    /**
     * Waits for the batch, committing its done prefixes and polling paused partitions meanwhile; gives up at the drain
     * deadline once stopping.
     */
    private void await(Batch batch) throws InterruptedException {
        long lastPoll = System.nanoTime();
        while (!batch.finished.await(PROGRESS.toMillis(), TimeUnit.MILLISECONDS)) {
            if (stopping && System.nanoTime() - stopDeadline > 0) {
                LOG.warn("warning: drain timeout reached with deliveries under way; they will be delivered again");
                return;
            }
            progress(batch);
            if (System.nanoTime() - lastPoll >= KEEP_ALIVE.toNanos()) {
                lastPoll = System.nanoTime();
                keepAlive();
                if (batch.settled) {
                    return; // a revocation in that poll settled it
                }
            }
        }
    }

    /**
     * Writes the follow-ups of the records finished so far and commits, without waiting, each partition's prefix of
     * records that are done and acknowledged. A record not yet done stops its partition's prefix as a held one does.
     */
    private void progress(Batch batch) {
        int n = batch.records.size();
        List<CommitPolicy.Entry> entries = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ConsumerRecord<String, byte[]> r = batch.records.get(i);
            boolean done = batch.results.get(i) instanceof Routed.Done d && acked(batch, i, d);
            if (done) {
                found(batch, i);
            }
            entries.add(new CommitPolicy.Entry(new TopicPartition(r.topic(), r.partition()), r.offset(),
                    done ? Outcome.DONE : Outcome.HOLD));
        }
        Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
        CommitPolicy.settle(entries).commit().forEach((tp, offset) -> {
            Long before = batch.committed.get(tp);
            if ((before == null || offset > before) && consumer.assignment().contains(tp)) {
                commit.put(tp, new OffsetAndMetadata(offset));
                batch.committed.put(tp, offset);
            }
        });
        if (!commit.isEmpty()) {
            consumer.commitAsync(commit, (offsets, e) -> {
                // a failed commit is repeated by the next one, at the latest by the settle's synchronous one
            });
        }
    }

    /** Whether record {@code i}'s follow-ups are written and acknowledged; writes them first if they are not. */
    private boolean acked(Batch batch, int i, Routed.Done done) {
        List<Future<RecordMetadata>> sent = batch.acks.get(i);
        if (sent == null) {
            sent = send(done);
            batch.acks.set(i, sent);
        }
        for (Future<RecordMetadata> ack : sent) {
            if (!ack.isDone()) {
                return false;
            }
            try {
                ack.get();
            } catch (ExecutionException | InterruptedException e) {
                return false; // the settle logs it and holds the record
            }
        }
        return true;
    }

    private List<Future<RecordMetadata>> send(Routed.Done done) {
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        try {
            for (ProducerRecord<String, byte[]> f : done.followUps()) {
                sent.add(producer.send(f));
            }
        } catch (RuntimeException e) {
            sent.add(java.util.concurrent.CompletableFuture.failedFuture(e));
        }
        return sent;
    }

    /** Record {@code i} is done: qmgr's {@code removed} line, once, when it finished its whole message. */
    private static void found(Batch batch, int i) {
        if (!batch.done[i]) {
            batch.done[i] = true;
            if (batch.results.get(i) instanceof Routed.Done d && d.messageDone()) {
                LOG.infof("%s: removed", batch.records.get(i).key());
            }
        }
    }

    /** A pause between tries while the backend is down, polling paused partitions to stay in the group. */
    private void idle(Duration pause) throws InterruptedException {
        long end = System.nanoTime() + pause.toNanos();
        holding = true;
        try {
            for (long left; !stopping && (left = end - System.nanoTime()) > 0; ) {
                if (stopSignal.await(Math.min(left, KEEP_ALIVE.toNanos()), TimeUnit.NANOSECONDS)) {
                    return;
                }
                keepAlive();
            }
        } finally {
            holding = false;
            consumer.resume(consumer.paused());
        }
    }

    /**
     * A poll that returns no records: it keeps the consumer within {@code max.poll.interval.ms} and runs rebalance
     * callbacks. Should a record arrive all the same (a partition assigned before it could be paused), the consumer
     * is moved back to it: nothing is skipped.
     */
    private void keepAlive() {
        consumer.pause(consumer.assignment());
        ConsumerRecords<String, byte[]> unexpected = consumer.poll(Duration.ZERO);
        for (TopicPartition tp : unexpected.partitions()) {
            consumer.seek(tp, unexpected.records(tp).get(0).offset());
        }
    }

    /**
     * Writes the follow-ups of every finished record, waits for Kafka's acks, then commits and seeks back as the
     * policy says. A record still under way (drain timeout) counts as held.
     */
    private void settle(Batch batch) throws InterruptedException {
        if (batch.settled) {
            return;
        }
        batch.settled = true;
        int n = batch.records.size();
        Routed[] results = new Routed[n];
        for (int i = 0; i < n; i++) {
            results[i] = batch.results.get(i);
            if (results[i] instanceof Routed.Done done && batch.acks.get(i) == null) {
                batch.acks.set(i, send(done));
            }
        }
        long deadline = System.nanoTime() + ackTimeout.toNanos();
        List<CommitPolicy.Entry> entries = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ConsumerRecord<String, byte[]> r = batch.records.get(i);
            boolean done = results[i] instanceof Routed.Done && acknowledged(r, batch.acks.get(i), deadline);
            if (done) {
                found(batch, i);
            }
            entries.add(new CommitPolicy.Entry(new TopicPartition(r.topic(), r.partition()), r.offset(),
                    done ? Outcome.DONE : Outcome.HOLD));
        }
        apply(CommitPolicy.settle(entries));
    }

    private boolean acknowledged(ConsumerRecord<String, byte[]> r, List<Future<RecordMetadata>> acks, long deadline)
            throws InterruptedException {
        try {
            for (Future<RecordMetadata> ack : acks) {
                ack.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
            return true;
        } catch (ExecutionException | TimeoutException e) {
            LOG.warnf("warning: %s: cannot record delivery outcome (%s); will retry the message", r.key(),
                    e instanceof ExecutionException ? e.getCause() : e);
            return false;
        }
    }

    private void apply(CommitPolicy.Settlement s) {
        Set<TopicPartition> assigned = consumer.assignment();
        Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
        s.commit().forEach((tp, offset) -> {
            if (assigned.contains(tp)) {
                commit.put(tp, new OffsetAndMetadata(offset));
            }
        });
        if (!commit.isEmpty()) {
            try {
                consumer.commitSync(commit, ackTimeout);
            } catch (CommitFailedException | RebalanceInProgressException | RetriableException e) {
                // the records are done; whoever reads the partition next delivers them again (a duplicate, no loss)
                LOG.warnf("warning: cannot commit delivered offsets (%s); they may be delivered again", e.toString());
            }
        }
        commit.forEach((tp, offset) -> {
            Set<Long> ahead = deliveredAhead.get(tp);
            if (ahead != null) {
                ahead.removeIf(o -> o < offset.offset());
            }
        });
        s.deliveredAhead().forEach((tp, offsets) -> {
            if (assigned.contains(tp)) {
                deliveredAhead.computeIfAbsent(tp, k -> new TreeSet<>()).addAll(offsets);
            }
        });
        deliveredAhead.values().removeIf(Set::isEmpty);
        s.seek().forEach((tp, offset) -> {
            if (assigned.contains(tp)) {
                consumer.seek(tp, offset);
            }
        });
    }

    /**
     * Before partitions move to another consumer, the batch under way finishes (at most the drain timeout) and is
     * committed, so the new owner does not deliver it again. What this consumer remembers of those partitions goes.
     */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            Batch batch = inFlight;
            if (batch != null && !batch.settled) {
                long deadline = System.nanoTime() + drainTimeout.toNanos();
                if (stopping && stopDeadline - deadline < 0) {
                    deadline = stopDeadline;
                }
                try {
                    batch.finished.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    settle(batch);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            partitions.forEach(deliveredAhead::remove);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            partitions.forEach(deliveredAhead::remove);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (holding) {
                consumer.pause(partitions);
            }
        }
    }
}

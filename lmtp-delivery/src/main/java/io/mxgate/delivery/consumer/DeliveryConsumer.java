package io.mxgate.delivery.consumer;

import io.micrometer.core.instrument.MeterRegistry;
import io.mxgate.core.address.MailAddress;
import io.mxgate.core.client.ClientTimeouts;
import io.mxgate.core.delivery.RecipientResult;
import io.mxgate.core.envelope.Envelope;
import io.mxgate.core.envelope.EnvelopeCodec;
import io.mxgate.core.kafka.QueueRecords;
import io.mxgate.core.kafka.Topics;
import io.mxgate.core.table.DomainList;
import io.mxgate.core.transport.NextHop;
import io.mxgate.delivery.DeliveryConfig;
import io.mxgate.delivery.lmtp.LmtpAgent;
import io.mxgate.core.client.ConnectionPool;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The delivery loop (ADR 0003). One thread polls the incoming topic into a window of pending records; up to
 * {@code lmtp_destination_concurrency_limit} workers take records from it and deliver them, each starting on the
 * next record as soon as its last one is done, so the backend never waits for the slowest record of a batch. A
 * record is finished once its recipients that failed are written to the deferred or bounce topic and acknowledged
 * by Kafka; a partition's offset is committed only past records that are all finished ({@link CommitLedger}). A
 * crash anywhere before the commit redelivers (a possible duplicate, never a loss). When the backend cannot be
 * reached at all, nothing more is started: the consumer seeks back to the first unfinished record of each
 * partition and tries again after a growing pause, so the mail waits in Kafka until Dovecot is back.
 */
@ApplicationScoped
public class DeliveryConsumer {

    private static final Logger LOG = Logger.getLogger("qmgr");
    /**
     * How often finished records are committed while mail flows. A kill -9 delivers again what finished in the last
     * interval (a 10,000-message fault run had 0.64% duplicates at 200 ms); at saturation this is still at most 50
     * commits a second.
     */
    private static final Duration COMMIT_INTERVAL = Duration.ofMillis(20);
    /** How long a hold, a rebalance or a shutdown waits for the running deliveries to end. */
    private static final Duration QUIESCE_LIMIT = Duration.ofSeconds(30);

    private final DeliveryConfig config;
    private final Vertx vertx;
    private final MeterRegistry metrics;
    private final Clock clock = Clock.systemUTC();

    private DomainList virtualMailboxDomains;
    private ConnectionPool pool;
    private LmtpAgent agent;
    private KafkaConsumer<String, byte[]> consumer;
    private KafkaProducer<String, byte[]> producer;
    private Admin admin;
    private Thread thread;
    private volatile boolean running = true;
    private volatile String backendProblem;

    // the consumer thread's: what was polled, what is finished, and the pause before the next try after a hold
    private final CommitLedger ledger = new CommitLedger();
    private int window;
    private boolean paused;
    private long pause;
    private long lastCommit;
    // shared with the workers
    private final Queue<Item> pending = new ConcurrentLinkedQueue<>();
    private final BlockingQueue<Finished> finished = new LinkedBlockingQueue<>();
    private final AtomicInteger workers = new AtomicInteger();
    private volatile boolean holding;
    private volatile boolean backendDown;

    DeliveryConsumer(DeliveryConfig config, Vertx vertx, MeterRegistry metrics) {
        this.config = config;
        this.vertx = vertx;
        this.metrics = metrics;
    }

    /** What an attempt on one record came to. */
    private enum Outcome {
        /** Every recipient's result is recorded: delivered, or written to the deferred, bounce or corrupt topic. */
        DONE,
        /** No recipient is in virtual_mailbox_domains (queue-worker routes it). */
        NOT_FOR_US,
        /** Not delivered, and not to be committed: the backend is down or Kafka did not take the follow-ups. */
        HOLD
    }

    private record Item(ConsumerRecord<String, byte[]> record, Instant dequeued, List<ProducerRecord<String, byte[]>> followUps) {
    }

    private record Finished(TopicPartition partition, long offset, Outcome outcome) {
    }

    void start(@Observes StartupEvent event) {
        virtualMailboxDomains = DomainList.parse(config.virtualMailboxDomains());
        NextHop nextHop = NextHop.parse(config.virtualTransport());
        if (!nextHop.transport().equals("lmtp") || nextHop.mxLookup()) {
            throw new IllegalArgumentException("mxgate.virtual-transport must be lmtp:[host]:port, got "
                    + config.virtualTransport());
        }
        ClientTimeouts timeouts = new ClientTimeouts(config.lmtpConnectTimeout(), config.lmtpLhloTimeout(),
                config.lmtpLhloTimeout(), config.lmtpMailTimeout(), config.lmtpRcptTimeout(),
                config.lmtpDataInitTimeout(), config.lmtpDataDoneTimeout(), config.lmtpRsetTimeout(),
                config.lmtpQuitTimeout());
        pool = new ConnectionPool(vertx, nextHop, timeouts, config.myhostname(),
                config.lmtpConnectionCacheTimeLimit());
        agent = new LmtpAgent(pool, config.lmtpDestinationRecipientLimit(), clock);
        DeliveryConfig.Kafka kafka = config.kafka();
        admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers(),
                "request.timeout.ms", "5000", "default.api.timeout.ms", "10000"));
        if (kafka.createTopics()) {
            try {
                Topics.ensure(admin, List.of(kafka.incomingTopic(), kafka.deferredTopic(), kafka.bounceTopic(),
                        kafka.corruptTopic()), kafka.partitions(), kafka.replicationFactor(), config.messageSizeLimit(),
                        Duration.ofSeconds(10));
            } catch (Exception e) {
                LOG.warnf("warning: cannot create topics now (%s); the consumer waits for Kafka", e.getMessage());
            }
        }
        Map<String, Object> consumerProps = new HashMap<>(Topics.consumer(kafka.bootstrapServers(), kafka.groupId(),
                config.messageSizeLimit()));
        consumerProps.put("client.id", "mxgate-lmtp-delivery");
        // a window of two records per worker keeps every worker busy between polls; at most two windows of bodies
        // are in memory (a full window, then one poll)
        window = Math.max(1, config.lmtpDestinationConcurrencyLimit() * 2);
        consumerProps.put("max.poll.records", Integer.toString(window));
        consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(), new ByteArrayDeserializer());
        // kafka_consumer_fetch_manager_records_lag_max and friends: the lag per pod on /q/metrics
        new io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics(consumer).bindTo(metrics);
        Map<String, Object> producerProps = new HashMap<>(Topics.durableProducer(kafka.bootstrapServers(),
                config.messageSizeLimit(), kafka.ackTimeout()));
        producerProps.put("client.id", "mxgate-lmtp-delivery");
        producer = new KafkaProducer<>(producerProps, new StringSerializer(), new ByteArraySerializer());
        thread = new Thread(this::run, "lmtp-delivery");
        thread.start();
        LOG.infof("daemon started -- delivering %s to %s", kafka.incomingTopic(), nextHop);
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        running = false;
        if (consumer != null) {
            consumer.wakeup();
        }
        if (thread != null) {
            thread.join(TimeUnit.SECONDS.toMillis(60));
        }
        if (pool != null) {
            pool.close();
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(10));
        }
        if (admin != null) {
            admin.close(Duration.ofSeconds(2));
        }
    }

    /** True when Kafka answers; for readiness. */
    public boolean kafkaReachable() {
        return Topics.reachable(admin, Duration.ofSeconds(2));
    }

    /**
     * False once the delivery loop has died of an unexpected error: mail would then wait in Kafka for good, so
     * liveness goes DOWN and the pod is restarted (offsets were never committed past undelivered mail).
     */
    public boolean loopAlive() {
        return thread != null && thread.isAlive();
    }

    /** Why the LMTP backend could not be reached on the last try, or null when it could. */
    public String backendProblem() {
        return backendProblem;
    }

    private void run() {
        try {
            consumer.subscribe(List.of(config.kafka().incomingTopic()), new Rebalance());
            while (running) {
                absorbFinished();
                if (holding) {
                    pause = nextPause();
                    LOG.infof("warning: %s; mail stays queued, next try in %d ms", holdReason(), pause);
                    rewind();
                    Thread.sleep(pause);
                    holding = false;
                    continue;
                }
                // before the poll, which may wait: what just finished is committed first
                commitNow(false);
                pollMore();
            }
        } catch (WakeupException | InterruptedException e) {
            // shutting down
        } catch (RuntimeException e) {
            LOG.error("fatal: delivery loop stopped: " + e, e);
        } finally {
            finishInFlight();
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /**
     * Polls while fewer than {@link #window} records are unfinished; past that the partitions are paused and the
     * thread waits for a delivery to finish, polling only to stay in the consumer group.
     */
    private void pollMore() throws InterruptedException {
        boolean full = ledger.unfinished() >= window;
        if (full != paused) {
            if (full) {
                consumer.pause(consumer.assignment());
            } else {
                consumer.resume(consumer.paused());
            }
            paused = full;
        }
        if (full) {
            Finished first = finished.poll(100, TimeUnit.MILLISECONDS);
            if (first != null) {
                absorb(first);
            }
        }
        ConsumerRecords<String, byte[]> records = consumer.poll(full ? Duration.ZERO
                : Duration.ofMillis(ledger.unfinished() > 0 ? 50 : 500));
        Instant dequeued = clock.instant();
        for (ConsumerRecord<String, byte[]> r : records) {
            ledger.polled(new TopicPartition(r.topic(), r.partition()), r.offset());
            pending.add(new Item(r, dequeued, new ArrayList<>()));
        }
        if (!records.isEmpty()) {
            startWorkers();
        }
    }

    /** Starts workers for pending records, up to {@code lmtp_destination_concurrency_limit} at a time. */
    private void startWorkers() {
        while (!pending.isEmpty() && !holding) {
            int busy = workers.get();
            if (busy >= config.lmtpDestinationConcurrencyLimit()) {
                return;
            }
            if (workers.compareAndSet(busy, busy + 1)) {
                work();
            }
        }
    }

    /**
     * One worker: delivers pending records one after another until none is left or a hold begins. It runs on
     * whichever thread completed its last delivery (an event loop), and never blocks.
     */
    private void work() {
        while (true) {
            Item item = holding ? null : pending.poll();
            if (item == null) {
                workers.decrementAndGet();
                // a record added between the poll and the decrement must not wait for the next one
                int busy = workers.get();
                if (pending.isEmpty() || holding || busy >= config.lmtpDestinationConcurrencyLimit()
                        || !workers.compareAndSet(busy, busy + 1)) {
                    return;
                }
                continue;
            }
            Future<Outcome> outcome = attempt(item);
            if (!outcome.isComplete()) {
                outcome.onComplete(ar -> {
                    finish(item, ar.result());
                    work();
                });
                return;
            }
            finish(item, outcome.result());
        }
    }

    private void finish(Item item, Outcome outcome) {
        if (outcome == Outcome.HOLD) {
            holding = true;
        }
        finished.add(new Finished(new TopicPartition(item.record().topic(), item.record().partition()),
                item.record().offset(), outcome));
    }

    private void absorbFinished() {
        for (Finished f; (f = finished.poll()) != null; ) {
            absorb(f);
        }
    }

    private void absorb(Finished f) {
        if (f.outcome() != Outcome.HOLD) {
            ledger.finished(f.partition(), f.offset());
        }
        if (f.outcome() == Outcome.DONE) {
            pause = 0;
        }
    }

    /** Commits what is finished: at once when {@code now}, else at most every {@link #COMMIT_INTERVAL}. */
    private void commitNow(boolean now) {
        long t = System.nanoTime();
        if (!now && t - lastCommit < COMMIT_INTERVAL.toNanos()) {
            return;
        }
        lastCommit = t;
        Map<TopicPartition, OffsetAndMetadata> commit = ledger.takeCommittable();
        if (commit.isEmpty()) {
            return;
        }
        try {
            consumer.commitSync(commit);
        } catch (WakeupException e) {
            // the wakeup was meant for poll, to stop; what was delivered must still be committed
            consumer.commitSync(commit);
        }
    }

    /** Lets the running deliveries end and takes in their outcomes; the pending records are dropped, not finished. */
    private void quiesce() throws InterruptedException {
        pending.clear();
        long deadline = System.nanoTime() + QUIESCE_LIMIT.toNanos();
        while (workers.get() > 0 && System.nanoTime() < deadline) {
            Finished f = finished.poll(100, TimeUnit.MILLISECONDS);
            if (f != null) {
                absorb(f);
            }
        }
        absorbFinished();
    }

    /**
     * A hold: once the running deliveries have ended, commits what finished and makes every partition read again
     * from its first unfinished record, so nothing that was polled and not delivered is skipped.
     */
    private void rewind() throws InterruptedException {
        quiesce();
        commitNow(true);
        ledger.takeRewind().forEach(consumer::seek);
        backendDown = false;
    }

    /** On the way out: the running deliveries end and are committed, so a restart does not repeat them. */
    private void finishInFlight() {
        holding = true;
        try {
            quiesce();
            commitNow(true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warnf("warning: cannot commit delivered mail on the way out (%s); it will be delivered again", e);
        }
    }

    private String holdReason() {
        return backendDown ? "LMTP backend unavailable (" + backendProblem + ")"
                : "cannot record a delivery outcome in Kafka";
    }

    private long nextPause() {
        long max = config.lmtpBackendRetryMaxDelay().toMillis();
        return pause == 0 ? Math.min(1000, max) : Math.min(max, pause * 2);
    }

    /** Partitions that move to another consumer leave with their finished records committed. */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            boolean wasHolding = holding;
            holding = true;
            try {
                quiesce();
                commitNow(true);
                // the pending records were dropped: the partitions this consumer keeps read them again
                ledger.takeRewind().forEach((partition, offset) -> {
                    if (!partitions.contains(partition)) {
                        consumer.seek(partition, offset);
                    }
                });
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                holding = wasHolding;
            }
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            paused = false;
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            // no commit is possible any more; the new owner delivers them again
            ledger.forget(partitions);
        }
    }

    /** Delivers one record and records its follow-ups; never fails. */
    private Future<Outcome> attempt(Item item) {
        Future<Outcome> delivered;
        try {
            delivered = deliver(item);
        } catch (RuntimeException e) {
            delivered = Future.failedFuture(e);
        }
        return delivered.compose(outcome -> outcome == Outcome.HOLD || item.followUps().isEmpty()
                        ? Future.succeededFuture(outcome)
                        // the producer may block on metadata: off the event loop
                        : vertx.executeBlocking(() -> recordFollowUps(item) ? outcome : Outcome.HOLD, false))
                .recover(failure -> {
                    LOG.error("warning: delivery worker failed: " + failure, failure);
                    return Future.succeededFuture(Outcome.HOLD);
                });
    }

    private Future<Outcome> deliver(Item item) {
        Envelope envelope;
        try {
            envelope = QueueRecords.envelope(item.record());
        } catch (EnvelopeCodec.MalformedEnvelopeException e) {
            LOG.warnf("warning: %s: corrupt queue record (%s); moved to %s", item.record().key(), e.getMessage(),
                    config.kafka().corruptTopic());
            ConsumerRecord<String, byte[]> r = item.record();
            item.followUps().add(new ProducerRecord<>(config.kafka().corruptTopic(), null, r.key(), r.value(), r.headers()));
            return Future.succeededFuture(Outcome.DONE);
        }
        List<MailAddress> ours = envelope.recipients().stream()
                .filter(r -> virtualMailboxDomains.contains(r.domain())).toList();
        if (ours.isEmpty()) {
            return Future.succeededFuture(Outcome.NOT_FOR_US);
        }
        return agent.deliver(envelope, ours, item.record().value(), item.dequeued()).map(attempt -> {
            if (attempt instanceof LmtpAgent.Attempt.BackendDown down) {
                backendProblem = down.cause().getMessage();
                backendDown = true;
                return Outcome.HOLD;
            }
            backendProblem = null;
            List<RecipientResult> results = ((LmtpAgent.Attempt.Done) attempt).results();
            followUp(item, envelope, results, RecipientResult.Status.DEFERRED, config.kafka().deferredTopic());
            followUp(item, envelope, results, RecipientResult.Status.BOUNCED, config.kafka().bounceTopic());
            for (RecipientResult r : results) {
                metrics.counter("mxgate.delivery.recipients", "status", r.status().logWord()).increment();
            }
            return Outcome.DONE;
        });
    }

    private void followUp(Item item, Envelope envelope, List<RecipientResult> results, RecipientResult.Status status,
                          String topic) {
        List<MailAddress> recipients = new ArrayList<>();
        String reason = "";
        for (RecipientResult r : results) {
            if (r.status() == status) {
                recipients.add(r.recipient());
                reason = r.reason();
            }
        }
        if (!recipients.isEmpty()) {
            item.followUps().add(QueueRecords.record(topic, envelope.afterAttempt(recipients, reason),
                    item.record().value()));
        }
    }

    /** Writes an item's deferred/bounce/corrupt records and waits for Kafka's acks; false when that failed. */
    private boolean recordFollowUps(Item item) throws InterruptedException {
        List<java.util.concurrent.Future<RecordMetadata>> acks = new ArrayList<>();
        try {
            for (ProducerRecord<String, byte[]> r : item.followUps()) {
                acks.add(producer.send(r));
            }
            for (var ack : acks) {
                ack.get(config.kafka().ackTimeout().toMillis(), TimeUnit.MILLISECONDS);
            }
            return true;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException | RuntimeException e) {
            LOG.warnf("warning: %s: cannot record delivery outcome (%s); will retry the message",
                    item.record().key(), e.toString());
            return false;
        }
    }
}

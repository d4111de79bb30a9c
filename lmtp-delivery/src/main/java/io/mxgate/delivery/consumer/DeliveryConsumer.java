package io.mxgate.delivery.consumer;

import io.micrometer.core.instrument.MeterRegistry;
import io.mxgate.core.address.MailAddress;
import io.mxgate.core.client.ClientTimeouts;
import io.mxgate.core.delivery.RecipientResult;
import io.mxgate.core.envelope.Envelope;
import io.mxgate.core.envelope.EnvelopeCodec;
import io.mxgate.core.kafka.QueueRecords;
import io.mxgate.core.kafka.KafkaClients;
import io.mxgate.core.routing.ResolverRuntime;
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
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The delivery loop (ADR 0003). One thread polls the incoming and mailbox topics (ADR 0007); the records of a poll are
 * delivered concurrently (up to {@code lmtp_destination_concurrency_limit}); then the recipients that failed are
 * written to the deferred or bounce topic and acknowledged by Kafka; only then are offsets committed. A crash anywhere
 * before the commit redelivers (a possible duplicate, never a loss). When the backend cannot be reached at all, the
 * unfinished records are not committed: the consumer seeks back to them and tries again after a growing pause, so the
 * mail waits in Kafka until Dovecot is back. A record on the mailbox topic is this service's alone: a recipient there
 * outside this service's {@code virtual_mailbox_domains} (smtp-ingress was configured differently) is handed to
 * queue-worker on the deferred topic, never dropped.
 */
@ApplicationScoped
public class DeliveryConsumer {

    private static final Logger LOG = Logger.getLogger("qmgr");

    private final DeliveryConfig config;
    private final Vertx vertx;
    private final MeterRegistry metrics;
    private final Clock clock = Clock.systemUTC();

    private ResolverRuntime resolution;
    private ConnectionPool pool;
    private LmtpAgent agent;
    private KafkaConsumer<String, byte[]> consumer;
    private KafkaProducer<String, byte[]> producer;
    private KafkaClients clients;
    private Thread thread;
    private volatile boolean running = true;
    private volatile String backendProblem;

    DeliveryConsumer(DeliveryConfig config, Vertx vertx, MeterRegistry metrics) {
        this.config = config;
        this.vertx = vertx;
        this.metrics = metrics;
    }

    /** What an attempt on one record came to. */
    private enum Outcome { DONE, HOLD }

    private record Item(ConsumerRecord<String, byte[]> record, Instant dequeued, List<ProducerRecord<String, byte[]>> followUps) {
    }

    void start(@Observes StartupEvent event) throws InterruptedException {
        resolution = new ResolverRuntime(vertx, config.resolution(), config.sql().options(), LOG::warn);
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
        clients = KafkaClients.open(kafka.options(config.messageSizeLimit()), "mxgate-lmtp-delivery",
                List.of(kafka.incomingTopic(), kafka.mailboxTopic(), kafka.deferredTopic(), kafka.bounceTopic(),
                        kafka.corruptTopic()), LOG::warn, LOG::error);
        consumer = clients.consumer(kafka.groupId(), Map.of("max.poll.records",
                Integer.toString(Math.max(1, config.lmtpDestinationConcurrencyLimit() * 4))));
        // kafka_consumer_fetch_manager_records_lag_max and friends: the lag per pod on /q/metrics
        new io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics(consumer).bindTo(metrics);
        producer = clients.durableProducer(Map.of());
        thread = new Thread(this::run, "lmtp-delivery");
        thread.start();
        LOG.infof("daemon started -- delivering %s and %s to %s", kafka.incomingTopic(), kafka.mailboxTopic(), nextHop);
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
        if (resolution != null) {
            resolution.close();
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(10));
        }
        if (clients != null) {
            clients.close();
        }
    }

    /** True when Kafka answers and the topics passed their check; for readiness. */
    public boolean kafkaReachable() {
        return clients.reachable();
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
        long pause = 0;
        try {
            consumer.subscribe(List.of(config.kafka().incomingTopic(), config.kafka().mailboxTopic()));
            while (running) {
                ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(500));
                if (records.isEmpty()) {
                    continue;
                }
                boolean held = handle(records);
                pause = held ? nextPause(pause) : 0;
                if (held) {
                    LOG.infof("warning: LMTP backend unavailable (%s); mail stays queued, next try in %d ms",
                            backendProblem, pause);
                    Thread.sleep(pause);
                }
            }
        } catch (WakeupException | InterruptedException e) {
            // shutting down
        } catch (RuntimeException e) {
            LOG.error("fatal: delivery loop stopped: " + e, e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private long nextPause(long pause) {
        long max = config.lmtpBackendRetryMaxDelay().toMillis();
        return pause == 0 ? Math.min(1000, max) : Math.min(max, pause * 2);
    }

    /**
     * Delivers a poll's records, records every follow-up durably, commits what is done and seeks back to what is
     * not. Returns true when something was held back because the backend was down.
     */
    private boolean handle(ConsumerRecords<String, byte[]> records) throws InterruptedException {
        Instant dequeued = clock.instant();
        List<Item> items = new ArrayList<>(records.count());
        for (ConsumerRecord<String, byte[]> r : records) {
            items.add(new Item(r, dequeued, new ArrayList<>()));
        }
        Outcome[] outcomes = deliverAll(items);
        for (int i = 0; i < items.size(); i++) {
            if (outcomes[i] == Outcome.DONE && !recordFollowUps(items.get(i))) {
                outcomes[i] = Outcome.HOLD;
            }
        }
        Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
        Map<TopicPartition, Long> holdFrom = new HashMap<>();
        List<String> removed = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            ConsumerRecord<String, byte[]> r = items.get(i).record();
            TopicPartition tp = new TopicPartition(r.topic(), r.partition());
            if (holdFrom.containsKey(tp)) {
                continue;
            }
            if (outcomes[i] == Outcome.HOLD) {
                holdFrom.put(tp, r.offset());
            } else {
                commit.put(tp, new OffsetAndMetadata(r.offset() + 1));
                if (lastRecipientDone(items.get(i))) {
                    removed.add(r.key());
                }
            }
        }
        if (!commit.isEmpty()) {
            consumer.commitSync(commit);
        }
        removed.forEach(queueId -> LOG.infof("%s: removed", queueId));
        holdFrom.forEach(consumer::seek);
        return !holdFrom.isEmpty();
    }

    /**
     * Whether this service finished the whole message, for qmgr's {@code removed} line: only a record of the mailbox
     * topic holds all of a message's recipients here (ADR 0007), and it is finished when nothing of it went on to the
     * deferred topic (queue-worker logs {@code removed} for that part) or the corrupt topic. Bounced recipients are
     * done once their bounce record is acknowledged, as in Postfix. A message on the incoming topic is shared with
     * queue-worker, and neither side knows when the other's recipients are done: this side logs nothing for it.
     */
    private boolean lastRecipientDone(Item item) {
        return item.record().topic().equals(config.kafka().mailboxTopic()) && item.followUps().stream()
                .noneMatch(f -> f.topic().equals(config.kafka().deferredTopic())
                        || f.topic().equals(config.kafka().corruptTopic()));
    }

    private Outcome[] deliverAll(List<Item> items) throws InterruptedException {
        Outcome[] outcomes = new Outcome[items.size()];
        AtomicInteger next = new AtomicInteger();
        AtomicBoolean backendDown = new AtomicBoolean();
        List<Future<Void>> workers = new ArrayList<>();
        for (int w = 0; w < Math.min(items.size(), config.lmtpDestinationConcurrencyLimit()); w++) {
            workers.add(worker(items, outcomes, next, backendDown));
        }
        try {
            Future.join(new ArrayList<Future<?>>(workers)).toCompletionStage().toCompletableFuture().get();
        } catch (java.util.concurrent.ExecutionException e) {
            LOG.error("warning: delivery worker failed: " + e.getCause(), e.getCause());
        }
        for (int i = 0; i < outcomes.length; i++) {
            if (outcomes[i] == null) {
                outcomes[i] = Outcome.HOLD;
            }
        }
        if (!backendDown.get()) {
            backendProblem = null;
        }
        return outcomes;
    }

    private Future<Void> worker(List<Item> items, Outcome[] outcomes, AtomicInteger next, AtomicBoolean backendDown) {
        int i = next.getAndIncrement();
        if (i >= items.size()) {
            return Future.succeededFuture();
        }
        if (backendDown.get()) {
            outcomes[i] = Outcome.HOLD;
            return worker(items, outcomes, next, backendDown);
        }
        return attempt(items.get(i), backendDown)
                .transform(ar -> {
                    outcomes[i] = ar.succeeded() ? ar.result() : Outcome.HOLD;
                    return worker(items, outcomes, next, backendDown);
                });
    }

    private Future<Outcome> attempt(Item item, AtomicBoolean backendDown) {
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
        List<Future<Boolean>> classes = new ArrayList<>();
        for (MailAddress r : envelope.recipients()) {
            classes.add(resolution.resolver().isVirtualMailbox(r));
        }
        // a domain table that cannot answer holds the record: it is tried again, never dropped
        return Future.all(classes).compose(all -> {
            List<MailAddress> ours = new ArrayList<>();
            for (int i = 0; i < classes.size(); i++) {
                if (classes.get(i).result()) {
                    ours.add(envelope.recipients().get(i));
                }
            }
            if (item.record().topic().equals(config.kafka().mailboxTopic()) && ours.size() < envelope.recipients().size()) {
                handOver(item, envelope, ours);
            }
            return ours.isEmpty() ? Future.succeededFuture(Outcome.DONE) : deliver(item, envelope, ours, backendDown);
        });
    }

    private Future<Outcome> deliver(Item item, Envelope envelope, List<MailAddress> ours, AtomicBoolean backendDown) {
        return agent.deliver(envelope, ours, item.record().value(), item.dequeued()).map(attempt -> {
            if (attempt instanceof LmtpAgent.Attempt.BackendDown down) {
                backendDown.set(true);
                backendProblem = down.cause().getMessage();
                return Outcome.HOLD;
            }
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

    /**
     * Recipients on the mailbox topic that this service does not take: only smtp-ingress and lmtp-delivery disagreeing
     * on {@code virtual_mailbox_domains} puts them there. queue-worker reads the deferred topic and routes them.
     */
    private void handOver(Item item, Envelope envelope, List<MailAddress> ours) {
        List<MailAddress> others = envelope.recipients().stream().filter(r -> !ours.contains(r)).toList();
        String reason = "recipient domain not in virtual_mailbox_domains of lmtp-delivery; handed to queue-worker";
        LOG.warnf("warning: %s: %d recipient(s) on %s outside virtual_mailbox_domains (smtp-ingress configured "
                + "differently?); deferred for queue-worker", item.record().key(), others.size(),
                config.kafka().mailboxTopic());
        item.followUps().add(QueueRecords.record(config.kafka().deferredTopic(), envelope.afterAttempt(others, reason),
                item.record().value()));
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

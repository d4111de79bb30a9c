package io.mxgate.queue.intake;

import io.mxgate.core.dsn.RecipientStatus;
import io.mxgate.core.envelope.Envelope;
import io.mxgate.core.envelope.EnvelopeCodec;
import io.mxgate.core.kafka.QueueRecords;
import io.mxgate.queue.QueueWorkerConfig;
import io.mxgate.queue.kafka.Kafka;
import io.mxgate.queue.routing.Routing;
import io.mxgate.queue.schedule.QueueManager;
import io.mxgate.queue.store.QueueEntry;
import io.mxgate.queue.store.QueueMark;
import io.mxgate.queue.store.QueueStore;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Rebuilds the Redis queue index from Kafka (ADR 0010): Redis is an index, the topics are the record. A rebuild
 * reads the queue state topic (the {@link QueueMark}s and the genesis mark), then the incoming and deferred topics
 * from their start up to the end offsets it saw first, and indexes every record that still has recipients for
 * queue-worker: those of a record without a mark (those before the genesis offsets only when marked), or those its
 * last mark left. Adding is idempotent and a finished entry leaves a tombstone, so a rebuild beside a running intake
 * and scheduler queues nothing twice. One replica at a time (a Redis lock); it runs when an admin asks
 * ({@code ./mxgate queue reindex}) and by itself when the index has no epoch (new, flushed, or a dataset lost) or is
 * older than the topics: the intake's committed offsets are beyond the positions the index noted it holds.
 */
@ApplicationScoped
public class Reindex {

    private static final Logger LOG = Logger.getLogger("qmgr");
    /** The state topic's key of the genesis mark: where the topics start to count for the index. */
    static final String GENESIS = "genesis";
    private static final Duration LOCK = Duration.ofMinutes(2);
    private static final Duration GENESIS_COPY = Duration.ofHours(12);
    private static final Duration IDLE = Duration.ofSeconds(30);

    /** What a rebuild did; {@code ran} false when another replica was rebuilding. */
    public record Result(boolean ran, long records, long added, long marks, long millis) {
    }

    private final QueueWorkerConfig config;
    private final Routing routing;
    private final QueueStore store;
    private final QueueManager qmgr;
    private final Kafka kafka;
    private final Clock clock = Clock.systemUTC();
    private final String token = UUID.randomUUID().toString();
    private ScheduledExecutorService timer;
    /** Reads the intake group's committed offsets; the timer's thread only. */
    private KafkaConsumer<String, byte[]> checker;

    Reindex(QueueWorkerConfig config, Routing routing, QueueStore store, QueueManager qmgr, Kafka kafka) {
        this.config = config;
        this.routing = routing;
        this.store = store;
        this.qmgr = qmgr;
        this.kafka = kafka;
    }

    void start(@Observes @Priority(25) StartupEvent event) {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "reindex");
            t.setDaemon(true);
            return t;
        });
        // a lost index is noticed within a minute at most, and at each queue run when that is sooner
        long every = Math.max(1000, Math.min(config.queueRunDelay().toMillis(), 60_000));
        timer.scheduleWithFixedDelay(this::check, 0, every, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes @Priority(3) ShutdownEvent event) throws InterruptedException {
        if (timer != null) {
            timer.shutdownNow();
            if (timer.awaitTermination(10, TimeUnit.SECONDS) && checker != null) {
                checker.close(Duration.ofSeconds(2));
            }
        }
    }

    private void check() {
        try {
            String epoch = store.epoch();
            String behind;
            if (epoch == null) {
                rebuild("the queue index has no epoch (new, flushed, or lost)");
            } else if ((behind = behind()) != null) {
                rebuild("the queue index is older than the topics (" + behind + ")");
            } else if (store.genesisCopyDue(GENESIS_COPY)) {
                // the state topic's retention must not drop the genesis mark: write it again now and then
                kafka.sendAll(List.of(genesisRecord(epoch)));
            }
        } catch (Exception e) {
            LOG.warnf("warning: queue index check failed: %s; trying again later", e.toString());
        }
    }

    /**
     * Where the intake's committed offsets are beyond what the index has noted it holds (a Redis that lost its last
     * writes: a failover to a replica that missed them, a restored snapshot), or null. The committed offsets are read
     * first: the intake notes a position before it commits it, so a note read afterwards is never behind unless it
     * was lost. An index without any note (written by a queue-worker before this check) starts from the committed
     * offsets.
     */
    private String behind() {
        QueueWorkerConfig.Kafka k = config.kafka();
        if (checker == null) {
            checker = kafka.consumer(k.groupId(), Map.of("client.id", "mxgate-queue-worker-index-check"));
        }
        Map<String, Long> committed = new HashMap<>();
        checker.committed(new HashSet<>(partitions(checker, List.of(k.incomingTopic(), k.deferredTopic()))),
                Duration.ofSeconds(30)).forEach((tp, o) -> {
                    if (o != null) {
                        committed.put(Intake.partition(tp), o.offset());
                    }
                });
        Map<String, Long> applied = store.applied();
        if (applied.isEmpty()) {
            if (!committed.isEmpty()) {
                store.applied(committed);
                LOG.infof("queue index progress noted from the intake's committed offsets: %s", committed);
            }
            return null;
        }
        return behind(committed, applied);
    }

    /** The first partition whose committed offset is beyond the index's note, as a log phrase; null when none is. */
    static String behind(Map<String, Long> committed, Map<String, Long> applied) {
        return committed.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .filter(c -> c.getValue() > applied.getOrDefault(c.getKey(), 0L))
                .map(c -> c.getKey() + " committed up to " + c.getValue() + ", indexed up to "
                        + applied.getOrDefault(c.getKey(), 0L))
                .findFirst().orElse(null);
    }

    /** Rebuilds the index from Kafka now; blocks (minutes on a large retention), call it from a worker thread. */
    public synchronized Result rebuild(String why) throws Exception {
        if (!store.lockReindex(token, LOCK)) {
            LOG.infof("queue index rebuild skipped: another replica is rebuilding it");
            return new Result(false, 0, 0, 0, 0);
        }
        long t0 = System.nanoTime();
        LOG.infof("queue index rebuild started: %s", why);
        QueueWorkerConfig.Kafka k = config.kafka();
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            List<TopicPartition> sources = partitions(consumer, List.of(k.incomingTopic(), k.deferredTopic()));
            Map<TopicPartition, Long> ends = consumer.endOffsets(sources, Duration.ofSeconds(30));

            Map<String, QueueMark> marks = new HashMap<>();
            String[] genesis = {null};
            read(consumer, partitions(consumer, List.of(k.queueStateTopic())), null, r -> {
                if (GENESIS.equals(r.key())) {
                    genesis[0] = new String(r.value(), StandardCharsets.UTF_8);
                } else {
                    try {
                        marks.put(r.key(), QueueMark.of(r));
                    } catch (IllegalArgumentException e) {
                        LOG.warnf("warning: %s@%d: unreadable queue mark: %s", r.topic(), r.offset(), e.getMessage());
                    }
                }
            });
            Map<TopicPartition, Long> from;
            if (genesis[0] != null) {
                from = Genesis.decode(genesis[0]);
            } else if (marks.isEmpty()) {
                // The first index built by a queue-worker that marks: Redis was the record until now, so what the
                // topics hold so far counts only through the marks that its live entries get here.
                from = ends;
                long n = markLive();
                kafka.sendAll(List.of(genesisRecord(Genesis.encode(ends))));
                store.setEpoch(Genesis.encode(ends));
                LOG.infof("queue index genesis: %s; %d live entries marked", Genesis.encode(ends).strip(), n);
                return new Result(true, 0, 0, n, (System.nanoTime() - t0) / 1_000_000);
            } else {
                LOG.warnf("warning: the queue state topic %s has marks but no genesis mark (its retention is "
                        + "shorter than the mail topics'?): every record is considered", k.queueStateTopic());
                from = Map.of();
            }
            long[] counts = new long[2];
            Instant now = clock.instant();
            read(consumer, sources, ends, r -> {
                counts[0]++;
                Long first = from.get(new TopicPartition(r.topic(), r.partition()));
                if (index(r, marks.get(QueueEntry.id(r.topic(), r.partition(), r.offset())),
                        first != null && r.offset() < first, now)) {
                    counts[1]++;
                }
            });
            // every record before the ends is indexed now, these notes come after those entries
            Map<String, Long> applied = new HashMap<>();
            ends.forEach((tp, end) -> applied.put(Intake.partition(tp), end));
            store.applied(applied);
            store.setEpoch(Genesis.encode(from.isEmpty() ? Map.of() : from));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            LOG.infof("queue index rebuilt from Kafka: %d records read, %d entries queued, %d marks, %d ms",
                    counts[0], counts[1], marks.size(), ms);
            if (counts[1] > 0) {
                qmgr.wake();
            }
            return new Result(true, counts[0], counts[1], marks.size(), ms);
        } finally {
            store.unlockReindex(token);
        }
    }

    /** Indexes one source record as a rebuild does; true when it queued an entry that was not in the index. */
    private boolean index(ConsumerRecord<String, byte[]> r, QueueMark mark, boolean beforeGenesis, Instant now)
            throws Exception {
        Envelope envelope;
        try {
            envelope = QueueRecords.envelope(r);
        } catch (EnvelopeCodec.MalformedEnvelopeException e) {
            return false;  // the intake moved it to the corrupt topic when it first read it
        }
        boolean incoming = r.topic().equals(config.kafka().incomingTopic());
        List<RecipientStatus> fromRecord = incoming ? Intake.ours(envelope, routing)
                : Intake.statuses(r, envelope, false);
        List<RecipientStatus> pending = pending(fromRecord, mark, beforeGenesis);
        if (pending.isEmpty()) {
            return false;
        }
        QueueEntry e = Intake.entry(r, envelope, pending, now);
        if (mark != null) {
            e = new QueueEntry(e.id(), e.queueId(), e.topic(), e.partition(), e.offset(), e.size(), e.arrival(),
                    e.sender(), mark.attempts(), e.state(), e.due(), e.recipients(), e.token());
        }
        return store.add(e, now);
    }

    /**
     * The recipients a rebuild queues for a source record: what its last mark left (none when it is finished),
     * else all of queue-worker's recipients in the record; none for an unmarked record before the genesis offsets.
     */
    static List<RecipientStatus> pending(List<RecipientStatus> fromRecord, QueueMark mark, boolean beforeGenesis) {
        if (mark != null) {
            return mark.remaining();
        }
        return beforeGenesis ? List.of() : fromRecord;
    }

    /** Marks every entry the index holds now (the genesis of an index that was the only record until now). */
    private long markLive() throws Exception {
        long n = 0;
        int page = 1000;
        for (int offset = 0; ; offset += page) {
            QueueStore.Listing listing = store.list(offset, page);
            List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
            for (QueueStore.Listed m : listing.messages()) {
                for (QueueEntry e : m.entries()) {
                    records.add(new QueueMark(e.id(), e.queueId(), e.attempts(), e.recipients())
                            .record(config.kafka().queueStateTopic()));
                }
            }
            kafka.sendAll(records);
            n += records.size();
            if (listing.messages().size() < page) {
                return n;
            }
        }
    }

    private ProducerRecord<String, byte[]> genesisRecord(String encoded) {
        return new ProducerRecord<>(config.kafka().queueStateTopic(), GENESIS,
                encoded.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Reads the partitions from their start up to {@code ends} (their end offsets now when null). Bounded: fails
     * when Kafka returns nothing for {@link #IDLE}.
     */
    private void read(KafkaConsumer<String, byte[]> consumer, List<TopicPartition> partitions,
                      Map<TopicPartition, Long> ends, Each each) throws Exception {
        Map<TopicPartition, Long> end = new HashMap<>(ends != null ? ends
                : consumer.endOffsets(partitions, Duration.ofSeconds(30)));
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        long idleSince = System.nanoTime();
        while (true) {
            end.keySet().removeIf(tp -> consumer.position(tp, Duration.ofSeconds(30)) >= end.get(tp));
            if (end.isEmpty()) {
                break;
            }
            consumer.pause(partitions.stream().filter(tp -> !end.containsKey(tp)).toList());
            var records = consumer.poll(Duration.ofMillis(500));
            if (records.isEmpty()) {
                if (System.nanoTime() - idleSince > IDLE.toNanos()) {
                    throw new IllegalStateException("Kafka returned nothing for " + IDLE.toSeconds() + " s while "
                            + "reading " + end.keySet());
                }
                continue;
            }
            idleSince = System.nanoTime();
            for (ConsumerRecord<String, byte[]> r : records) {
                Long stop = end.get(new TopicPartition(r.topic(), r.partition()));
                if (stop != null && r.offset() < stop) {
                    each.accept(r);
                }
            }
            if (!store.relockReindex(token, LOCK)) {
                throw new IllegalStateException("the queue index rebuild lock was lost");
            }
        }
        consumer.assign(List.of());
    }

    /** What a read does with each record; an exception ends the rebuild. */
    private interface Each {
        void accept(ConsumerRecord<String, byte[]> record) throws Exception;
    }

    private static List<TopicPartition> partitions(KafkaConsumer<String, byte[]> consumer, List<String> topics) {
        List<TopicPartition> out = new ArrayList<>();
        for (String t : topics) {
            for (PartitionInfo p : consumer.partitionsFor(t, Duration.ofSeconds(30))) {
                out.add(new TopicPartition(t, p.partition()));
            }
        }
        return out;
    }

    private KafkaConsumer<String, byte[]> consumer() {
        return kafka.reader(Map.of("client.id", "mxgate-queue-worker-reindex", "max.poll.records", "500"));
    }
}

package io.mxgate.queue.schedule;

import io.mxgate.queue.kafka.Kafka;
import io.mxgate.queue.store.QueueEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads queued messages back from Kafka by topic, partition and offset (the queue entry's pointer), with a consumer
 * of its own that belongs to no group. Records the intake just read are handed over in memory ({@link #offer}) so
 * the first attempt does not read them again. One thread only.
 */
final class BodyReader implements AutoCloseable {

    /** What came back for an entry. */
    sealed interface Body {
        record Found(ConsumerRecord<String, byte[]> record) implements Body {
        }

        /** The record is no longer in Kafka (retention, or the topic was recreated). */
        record Gone(String why) implements Body {
        }

        /** Kafka did not answer in time: try later. */
        record Unavailable(String why) implements Body {
        }
    }

    private static final long CACHE_BYTES = 32L * 1024 * 1024;

    private final KafkaConsumer<String, byte[]> consumer;
    private final Map<String, ConsumerRecord<String, byte[]>> cache = new LinkedHashMap<>();
    private long cached;

    BodyReader(Kafka kafka) {
        // "none": an offset that retention deleted fails the read (Gone) instead of jumping to another record
        consumer = kafka.reader(Map.of("auto.offset.reset", "none", "client.id", "mxgate-queue-worker-reader",
                "max.poll.records", "50"));
    }

    /** A record just read by the intake, kept (within a memory bound) for the entry's first attempt. */
    synchronized void offer(String entryId, ConsumerRecord<String, byte[]> record) {
        long size = record.value() == null ? 0 : record.value().length;
        while (cached + size > CACHE_BYTES && !cache.isEmpty()) {
            var eldest = cache.entrySet().iterator().next();
            cached -= eldest.getValue().value() == null ? 0 : eldest.getValue().value().length;
            cache.remove(eldest.getKey());
        }
        if (size <= CACHE_BYTES) {
            cache.put(entryId, record);
            cached += size;
        }
    }

    private synchronized ConsumerRecord<String, byte[]> cached(String entryId) {
        ConsumerRecord<String, byte[]> r = cache.remove(entryId);
        if (r != null) {
            cached -= r.value() == null ? 0 : r.value().length;
        }
        return r;
    }

    /** The bodies of the entries, by entry id. */
    Map<String, Body> read(List<QueueEntry> entries, Duration timeout) {
        Map<String, Body> out = new HashMap<>();
        Map<TopicPartition, List<QueueEntry>> wanted = new HashMap<>();
        for (QueueEntry e : entries) {
            ConsumerRecord<String, byte[]> r = cached(e.id());
            if (r != null) {
                out.put(e.id(), new Body.Found(r));
            } else {
                wanted.computeIfAbsent(new TopicPartition(e.topic(), e.partition()), k -> new ArrayList<>()).add(e);
            }
        }
        if (wanted.isEmpty()) {
            return out;
        }
        long end = System.nanoTime() + timeout.toNanos();
        for (Map.Entry<TopicPartition, List<QueueEntry>> w : wanted.entrySet()) {
            TopicPartition tp = w.getKey();
            List<QueueEntry> list = new ArrayList<>(w.getValue());
            list.sort(Comparator.comparingLong(QueueEntry::offset));
            consumer.assign(List.of(tp));
            Map<Long, ConsumerRecord<String, byte[]>> seen = new HashMap<>();
            for (QueueEntry e : list) {
                if (out.containsKey(e.id())) {
                    continue;
                }
                ConsumerRecord<String, byte[]> r = seen.remove(e.offset());
                if (r == null) {
                    r = fetch(tp, e.offset(), seen, end, out, e);
                }
                if (r != null) {
                    out.put(e.id(), new Body.Found(r));
                }
            }
        }
        consumer.assign(List.of());
        return out;
    }

    /** Seeks to an offset and polls until it comes (keeping later records in {@code seen}); null on failure. */
    private ConsumerRecord<String, byte[]> fetch(TopicPartition tp, long offset,
                                                 Map<Long, ConsumerRecord<String, byte[]>> seen, long end,
                                                 Map<String, Body> out, QueueEntry e) {
        consumer.seek(tp, offset);
        while (System.nanoTime() < end) {
            ConsumerRecords<String, byte[]> records;
            try {
                records = consumer.poll(Duration.ofMillis(200));
            } catch (OffsetOutOfRangeException ex) {
                out.put(e.id(), new Body.Gone("offset " + offset + " of " + tp + " is no longer in Kafka"));
                return null;
            }
            ConsumerRecord<String, byte[]> found = null;
            boolean passed = false;
            for (ConsumerRecord<String, byte[]> r : records.records(tp)) {
                if (r.offset() == offset) {
                    found = r;
                } else if (r.offset() > offset) {
                    passed |= found == null;
                    seen.put(r.offset(), r);
                }
            }
            if (found != null) {
                return found;
            }
            if (passed) {
                out.put(e.id(), new Body.Gone("offset " + offset + " of " + tp + " is no longer in Kafka"));
                return null;
            }
        }
        out.put(e.id(), new Body.Unavailable("Kafka did not return " + tp + "@" + offset + " in time"));
        return null;
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(2));
    }
}

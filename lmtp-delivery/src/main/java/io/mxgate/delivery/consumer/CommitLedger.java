package io.mxgate.delivery.consumer;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which polled records of each partition have an outcome (ADR 0003). Records finish out of order, because they are
 * delivered in parallel; a partition's offset may only move past a record once it and every record before it have
 * finished, so what can be committed is always the offset of the partition's first unfinished record. Used by the
 * consumer thread alone.
 */
final class CommitLedger {

    /** Per partition, the polled offsets not yet committed, and whether each has finished. */
    private final Map<TopicPartition, TreeMap<Long, Boolean>> open = new HashMap<>();
    private int unfinished;

    /** A polled record, not finished yet. */
    void polled(TopicPartition partition, long offset) {
        if (open.computeIfAbsent(partition, p -> new TreeMap<>()).put(offset, Boolean.FALSE) == null) {
            unfinished++;
        }
    }

    /** The record has its outcome. A record the ledger no longer tracks (its partition was revoked) is ignored. */
    void finished(TopicPartition partition, long offset) {
        TreeMap<Long, Boolean> offsets = open.get(partition);
        if (offsets != null && offsets.replace(offset, Boolean.TRUE) == Boolean.FALSE) {
            unfinished--;
        }
    }

    /** Polled records without an outcome yet: the bodies the delivery loop holds in memory. */
    int unfinished() {
        return unfinished;
    }

    /**
     * The offsets to commit: per partition, past the finished records at its head. Those records leave the ledger,
     * so each offset is returned once.
     */
    Map<TopicPartition, OffsetAndMetadata> takeCommittable() {
        Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
        open.forEach((partition, offsets) -> {
            long next = -1;
            while (!offsets.isEmpty() && offsets.firstEntry().getValue()) {
                next = offsets.pollFirstEntry().getKey() + 1;
            }
            if (next >= 0) {
                commit.put(partition, new OffsetAndMetadata(next));
            }
        });
        open.values().removeIf(TreeMap::isEmpty);
        return commit;
    }

    /**
     * After {@link #takeCommittable()}: where each partition must be read again from, its first unfinished record.
     * The ledger is then empty.
     */
    Map<TopicPartition, Long> takeRewind() {
        Map<TopicPartition, Long> rewind = new HashMap<>();
        open.forEach((partition, offsets) -> offsets.entrySet().stream().filter(e -> !e.getValue()).findFirst()
                .ifPresent(e -> rewind.put(partition, e.getKey())));
        open.clear();
        unfinished = 0;
        return rewind;
    }

    /** Stops tracking partitions this consumer no longer owns. */
    void forget(Collection<TopicPartition> partitions) {
        for (TopicPartition partition : partitions) {
            TreeMap<Long, Boolean> offsets = open.remove(partition);
            if (offsets != null) {
                unfinished -= (int) offsets.values().stream().filter(done -> !done).count();
            }
        }
    }
}

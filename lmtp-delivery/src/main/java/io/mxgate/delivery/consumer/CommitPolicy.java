package io.mxgate.delivery.consumer;

import org.apache.kafka.common.TopicPartition;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which offsets a poll's outcomes allow to commit, where to seek back, and which records were delivered past a held
 * one (ADR 0003). Free of I/O: the loop feeds it the outcomes and applies the answer.
 *
 * <p>Kafka commits one offset per partition, so a partition's commit stops at its first held record, and the
 * consumer seeks back to it. The records of that partition after it are either not started (the loop starts nothing
 * past a held record of the same partition) or already delivered by another worker, because the records of a poll
 * run concurrently. The delivered ones are returned as {@link Settlement#deliveredAhead}: the loop remembers them and
 * skips them when the seek brings them back, so a hold repeats only what is undelivered. That memory lives as long
 * as the partition is assigned; after a rebalance the new owner redelivers them (a duplicate, never a loss).
 */
public final class CommitPolicy {

    private CommitPolicy() {
    }

    /** What became of one record: done (delivered, or its follow-ups acknowledged by Kafka) or held back. */
    public enum Outcome { DONE, HOLD }

    /** One record of a poll. */
    public record Entry(TopicPartition partition, long offset, Outcome outcome) {
    }

    /**
     * @param commit         per partition, the offset to commit (the next record to read)
     * @param seek           per partition, the held record to read again
     * @param deliveredAhead per partition, done records after the held one: not to be delivered again
     */
    public record Settlement(Map<TopicPartition, Long> commit, Map<TopicPartition, Long> seek,
                             Map<TopicPartition, Set<Long>> deliveredAhead) {
    }

    /** @param entries a poll's records, each partition's in offset order */
    public static Settlement settle(List<Entry> entries) {
        Map<TopicPartition, Long> commit = new LinkedHashMap<>();
        Map<TopicPartition, Long> seek = new LinkedHashMap<>();
        Map<TopicPartition, Set<Long>> ahead = new HashMap<>();
        for (Entry e : entries) {
            TopicPartition tp = e.partition();
            if (seek.containsKey(tp)) {
                if (e.outcome() == Outcome.DONE) {
                    ahead.computeIfAbsent(tp, k -> new TreeSet<>()).add(e.offset());
                }
            } else if (e.outcome() == Outcome.HOLD) {
                seek.put(tp, e.offset());
            } else {
                commit.put(tp, e.offset() + 1);
            }
        }
        return new Settlement(commit, seek, ahead);
    }
}

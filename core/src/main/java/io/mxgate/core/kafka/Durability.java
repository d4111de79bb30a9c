package io.mxgate.core.kafka;

import org.apache.kafka.common.config.TopicConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a queue topic must guarantee for a completed acks=all send to mean "stored on {@code minInsyncReplicas}
 * brokers": that many in-sync copies of each of {@code replicationFactor}, and no unclean leader election, which
 * would let an out-of-sync replica become leader and drop records that were acknowledged (ADR 0003).
 */
public record Durability(short replicationFactor, int minInsyncReplicas) {

    public Durability {
        if (replicationFactor < 1 || minInsyncReplicas < 1) {
            throw new IllegalArgumentException("mxgate.kafka.replication-factor and mxgate.kafka.min-insync-replicas "
                    + "must be at least 1, got " + replicationFactor + " and " + minInsyncReplicas);
        }
        // with fewer replicas than the minimum in sync, every acks=all write fails with NotEnoughReplicas
        if (minInsyncReplicas > replicationFactor) {
            throw new IllegalArgumentException("mxgate.kafka.min-insync-replicas (" + minInsyncReplicas
                    + ") exceeds mxgate.kafka.replication-factor (" + replicationFactor + ")");
        }
    }

    /** A topic as the cluster describes it: the smallest replica count over its partitions, its effective configs. */
    public record Observed(String topic, int replicationFactor, int minInsyncReplicas, boolean uncleanLeaderElection) {
    }

    /** The configs a topic created by a service gets besides its size limit. */
    public Map<String, String> topicConfigs() {
        return Map.of(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(minInsyncReplicas),
                TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG, "false");
    }

    /** How an existing topic falls short of these guarantees; empty when it does not. More than asked is fine. */
    public List<String> shortfalls(Observed topic) {
        List<String> out = new ArrayList<>();
        if (topic.replicationFactor() < replicationFactor) {
            out.add("replication factor " + topic.replicationFactor() + " < mxgate.kafka.replication-factor "
                    + replicationFactor);
        }
        if (topic.minInsyncReplicas() < minInsyncReplicas) {
            out.add("min.insync.replicas " + topic.minInsyncReplicas() + " < mxgate.kafka.min-insync-replicas "
                    + minInsyncReplicas);
        }
        if (topic.uncleanLeaderElection()) {
            out.add("unclean.leader.election.enable=true");
        }
        return out;
    }
}

package io.mxgate.config;

import io.mxgate.core.kafka.Durability;
import io.mxgate.core.kafka.KafkaOptions;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/**
 * The Kafka settings of every service that reads or writes mail ({@code mxgate.kafka.*}): where the broker is, the
 * topics mail moves through (ADR 0001), and how the topics are made. A service's own Kafka group extends this one
 * with what only it needs (its consumer group, its producer tuning).
 */
public interface KafkaSettings {

    /** Kafka bootstrap servers. */
    @WithDefault("127.0.0.1:19092")
    String bootstrapServers();

    /**
     * Accepted mail, written by smtp-ingress once (ADR 0001), that has a recipient outside
     * {@code virtual_mailbox_domains}; read by lmtp-delivery and queue-worker. queue-worker also queues its DSNs here.
     */
    @WithDefault("mxgate.incoming")
    String incomingTopic();

    /**
     * Accepted mail whose every recipient is in {@code virtual_mailbox_domains} (ADR 0007): only lmtp-delivery reads
     * it, so queue-worker never fetches a body it has nothing to do with.
     */
    @WithDefault("mxgate.mailbox")
    String mailboxTopic();

    /** Recipients lmtp-delivery deferred (4xx), with the message: queue-worker indexes them for retry. */
    @WithDefault("mxgate.deferred")
    String deferredTopic();

    /** Recipients lmtp-delivery bounced (5xx), with the message: queue-worker turns them into DSNs. */
    @WithDefault("mxgate.bounce")
    String bounceTopic();

    /** Records whose envelope cannot be read (Postfix's corrupt queue): kept for an admin, never dropped. */
    @WithDefault("mxgate.corrupt")
    String corruptTopic();

    /** How long to wait for the broker's acks=all; past it smtp-ingress answers 451 4.3.0, the others retry. */
    @WithDefault("30s")
    Duration ackTimeout();

    /** Create missing topics at startup (partitions and replication factor below). */
    @WithDefault("true")
    boolean createTopics();

    /** Partitions of topics created at startup. */
    @WithDefault("4")
    int partitions();

    /**
     * Replication factor of topics created at startup, and the least an existing topic must have or the service
     * refuses to start. The default is production's; the local single broker ({@code ./mxgate up}, the test kit)
     * sets 1.
     */
    @WithDefault("3")
    short replicationFactor();

    /**
     * {@code min.insync.replicas} of topics created at startup, and the least an existing topic must have (its own
     * setting or the broker's default) or the service refuses to start: a completed acks=all send, the ingress's 250,
     * then means this many brokers have the message. At most the replication factor. Created topics also get
     * {@code unclean.leader.election.enable=false}, and an existing topic with it true is refused too.
     */
    @WithDefault("2")
    int minInsyncReplicas();

    /** These settings as core's options, with the service's {@code message_size_limit} (ADR 0002). */
    default KafkaOptions options(long messageSizeLimit) {
        return new KafkaOptions(bootstrapServers(), ackTimeout(), createTopics(), partitions(),
                new Durability(replicationFactor(), minInsyncReplicas()), messageSizeLimit);
    }
}

package io.mxgate.config;

import io.mxgate.core.kafka.Durability;
import io.mxgate.core.kafka.KafkaOptions;
import io.mxgate.core.kafka.KafkaSecurity;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/**
 * The Kafka settings of every service that reads or writes mail ({@code mxgate.kafka.*}): where the broker is, the
 * topics mail moves through (ADR 0001), and how the topics are made. A service's own Kafka group extends this one
 * with what only it needs (its consumer group, its producer tuning). The security settings
 * ({@code security-protocol}, {@code sasl-*}, {@code ssl-*}) reach every admin client, producer and consumer through
 * {@link KafkaOptions#common()}.
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

    /**
     * Kafka's {@code security.protocol}: {@code PLAINTEXT}, {@code SSL} (TLS), {@code SASL_PLAINTEXT} or
     * {@code SASL_SSL} (a login over TLS, what Strimzi's SCRAM listeners, MSK and Confluent Cloud want).
     */
    @WithDefault("PLAINTEXT")
    String securityProtocol();

    /**
     * Kafka's {@code sasl.mechanism}: {@code PLAIN}, {@code SCRAM-SHA-256} or {@code SCRAM-SHA-512} (Strimzi's
     * {@code scram-sha-512} users). Required with a SASL protocol, refused without one.
     */
    Optional<String> saslMechanism();

    /** The SASL user name (a Strimzi KafkaUser's name); with {@link #saslPassword()}. */
    Optional<String> saslUsername();

    /** The SASL password (a Strimzi KafkaUser Secret's {@code password} key); never logged. */
    Optional<String> saslPassword();

    /**
     * A whole JAAS line, Kafka's {@code sasl.jaas.config}, as the key of that name in a Strimzi KafkaUser Secret has
     * it; when set it wins over {@link #saslUsername()} and {@link #saslPassword()}. Never logged.
     */
    Optional<String> saslJaasConfig();

    /**
     * The file of the CA certificates the brokers' certificates are checked against (Kafka's
     * {@code ssl.truststore.location}), e.g. a Strimzi cluster CA Secret's {@code ca.crt}; unset: the JVM's own CAs.
     */
    Optional<String> sslTruststoreLocation();

    /**
     * The truststore's type: {@code PEM} (a file of certificates, Strimzi's {@code ca.crt}), {@code PKCS12}
     * (Strimzi's {@code ca.p12}) or {@code JKS}.
     */
    @WithDefault("PEM")
    String sslTruststoreType();

    /** The truststore's password (Strimzi's {@code ca.password}); a PEM truststore has none. Never logged. */
    Optional<String> sslTruststorePassword();

    /**
     * The client's own certificate and key for mutual TLS (Kafka's {@code ssl.keystore.location}), e.g. a Strimzi
     * TLS KafkaUser Secret's {@code user.p12}; unset: no client certificate.
     */
    Optional<String> sslKeystoreLocation();

    /** The keystore's type: {@code PKCS12} (Strimzi's {@code user.p12}), {@code JKS} or {@code PEM} (key and chain). */
    @WithDefault("PKCS12")
    String sslKeystoreType();

    /**
     * The keystore's password (Strimzi's {@code user.password}); for a PEM keystore, its private key's password.
     * Never logged.
     */
    Optional<String> sslKeystorePassword();

    /**
     * Kafka's {@code ssl.endpoint.identification.algorithm}: {@code https} (Kafka's default) checks that the broker's
     * certificate names the host connected to; {@code none} turns that check off, which lets anyone with a
     * certificate from the same CA pose as a broker. Kafka spells "off" as the empty value, which MicroProfile Config
     * cannot carry (an empty value counts as unset), hence {@code none}.
     */
    @WithDefault("https")
    String sslEndpointIdentificationAlgorithm();

    /** The security settings above as core's type; refuses combinations that would not connect as written. */
    default KafkaSecurity security() {
        return new KafkaSecurity(KafkaSecurity.Protocol.parse(securityProtocol()),
                KafkaSecurity.Sasl.of(saslMechanism(), saslUsername(), saslPassword(), saslJaasConfig()),
                KafkaSecurity.Store.of("mxgate.kafka.ssl-truststore", sslTruststoreLocation(), sslTruststoreType(),
                        sslTruststorePassword()),
                KafkaSecurity.Store.of("mxgate.kafka.ssl-keystore", sslKeystoreLocation(), sslKeystoreType(),
                        sslKeystorePassword()),
                KafkaSecurity.checkHostname(sslEndpointIdentificationAlgorithm()));
    }

    /** These settings as core's options, with the service's {@code message_size_limit} (ADR 0002). */
    default KafkaOptions options(long messageSizeLimit) {
        return new KafkaOptions(bootstrapServers(), security(), ackTimeout(), createTopics(), partitions(),
                new Durability(replicationFactor(), minInsyncReplicas()), messageSizeLimit);
    }
}

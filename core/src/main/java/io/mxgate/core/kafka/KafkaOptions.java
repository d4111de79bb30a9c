package io.mxgate.core.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * What a service's Kafka clients are built from: config's {@code KafkaSettings} ({@code mxgate.kafka.*}) with the
 * service's {@code message_size_limit}, which sizes every limit on the path (ADR 0002).
 */
public record KafkaOptions(String bootstrapServers, KafkaSecurity security, Duration ackTimeout, boolean createTopics,
                           int partitions, Durability durability, long messageSizeLimit) {

    /** Settings every client of this cluster shares (admin, producers, consumers): where it is, how to log in. */
    public Map<String, Object> common() {
        Map<String, Object> props = new HashMap<>(security.clientProperties());
        props.put("bootstrap.servers", bootstrapServers);
        return props;
    }
}

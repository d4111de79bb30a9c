package io.mxgate.core.kafka;

import org.apache.kafka.clients.admin.Admin;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The queue's topics and the settings every producer and consumer of message bytes needs. Kafka's limits default
 * to about 1 MB while Postfix's {@code message_size_limit} is 10,240,000 bytes: every limit on the path is raised
 * together from the one message size limit (ADR 0002), or a message that got 250 could not be stored or fetched.
 * {@link KafkaClients} builds the clients and the topics from these.
 */
public final class Topics {

    /** Room for the Received header, Kafka record headers and the batch framing on top of the message size. */
    public static final int RECORD_OVERHEAD = 256 * 1024;

    private Topics() {
    }

    /** The largest record the path must carry for a given {@code message_size_limit}. */
    public static int maxRecordBytes(long messageSizeLimit) {
        return (int) Math.min(Integer.MAX_VALUE, messageSizeLimit + RECORD_OVERHEAD);
    }

    /** Producer settings that make a completed send mean "durably stored" (acks=all, idempotent). */
    static Map<String, Object> durableProducer(String bootstrapServers, long messageSizeLimit,
                                        Duration deliveryTimeout) {
        int requestTimeout = (int) Math.min(deliveryTimeout.toMillis(), 10_000);
        return Map.of(
                "bootstrap.servers", bootstrapServers,
                "acks", "all",
                "enable.idempotence", "true",
                "max.in.flight.requests.per.connection", "5",
                "max.request.size", Integer.toString(maxRecordBytes(messageSizeLimit)),
                "request.timeout.ms", Integer.toString(requestTimeout),
                "delivery.timeout.ms", Long.toString(Math.max(deliveryTimeout.toMillis(), requestTimeout + 1)),
                "max.block.ms", Integer.toString(requestTimeout),
                "linger.ms", "1");
    }

    /** Consumer settings: manual commits only, and fetch sizes that fit the largest message. */
    static Map<String, Object> consumer(String bootstrapServers, String groupId, long messageSizeLimit) {
        String max = Integer.toString(maxRecordBytes(messageSizeLimit));
        return Map.of(
                "bootstrap.servers", bootstrapServers,
                "group.id", groupId,
                "enable.auto.commit", "false",
                "auto.offset.reset", "earliest",
                "isolation.level", "read_committed",
                // a consumer killed with SIGKILL is replaced after this, not after the 45 s default
                "session.timeout.ms", "10000",
                "heartbeat.interval.ms", "3000",
                "max.partition.fetch.bytes", max,
                "fetch.max.bytes", max);
    }

    /** True when the cluster answers a metadata request within the timeout. */
    public static boolean reachable(Admin admin, Duration timeout) {
        try {
            admin.describeCluster().nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | TimeoutException e) {
            return false;
        }
    }
}

package io.mxgate.queue.kafka;

import io.mxgate.core.kafka.Topics;
import io.mxgate.queue.QueueWorkerConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * queue-worker's Kafka admin client and its one durable producer (acks=all, idempotent): a DSN or a corrupt record
 * counts as written only when {@link #sendAll} returned. Call it from a worker thread, never an event loop.
 */
@ApplicationScoped
public class Kafka {

    private static final Logger LOG = Logger.getLogger("qmgr");

    private final QueueWorkerConfig config;
    private Admin admin;
    private KafkaProducer<String, byte[]> producer;

    Kafka(QueueWorkerConfig config) {
        this.config = config;
    }

    void start(@Observes @Priority(1) StartupEvent event) {
        QueueWorkerConfig.Kafka k = config.kafka();
        admin = Admin.create(Map.of("bootstrap.servers", k.bootstrapServers(),
                "request.timeout.ms", "5000", "default.api.timeout.ms", "10000"));
        if (k.createTopics()) {
            try {
                Topics.ensure(admin, List.of(k.incomingTopic(), k.deferredTopic(), k.bounceTopic(), k.corruptTopic(),
                        k.queueStateTopic()),
                        k.partitions(), k.replicationFactor(), config.messageSizeLimit(), Duration.ofSeconds(10));
            } catch (Exception e) {
                LOG.warnf("warning: cannot create topics now (%s); the consumers wait for Kafka", e.getMessage());
            }
        }
        Map<String, Object> props = new HashMap<>(Topics.durableProducer(k.bootstrapServers(),
                config.messageSizeLimit(), k.ackTimeout()));
        props.put("client.id", "mxgate-queue-worker");
        producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    void stop(@Observes @Priority(10) ShutdownEvent event) {
        if (producer != null) {
            producer.close(Duration.ofSeconds(10));
        }
        if (admin != null) {
            admin.close(Duration.ofSeconds(2));
        }
    }

    /** Writes the records and waits for every ack; throws when one was not acknowledged in time. */
    public List<RecordMetadata> sendAll(List<ProducerRecord<String, byte[]>> records)
            throws ExecutionException, TimeoutException, InterruptedException {
        List<Future<RecordMetadata>> acks = new ArrayList<>(records.size());
        for (ProducerRecord<String, byte[]> r : records) {
            acks.add(producer.send(r));
        }
        List<RecordMetadata> out = new ArrayList<>(acks.size());
        for (Future<RecordMetadata> ack : acks) {
            out.add(ack.get(config.kafka().ackTimeout().toMillis(), TimeUnit.MILLISECONDS));
        }
        return out;
    }

    public boolean reachable() {
        return Topics.reachable(admin, Duration.ofSeconds(2));
    }
}

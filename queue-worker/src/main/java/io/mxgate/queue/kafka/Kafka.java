package io.mxgate.queue.kafka;

import io.mxgate.core.kafka.KafkaClients;
import io.mxgate.queue.QueueWorkerConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
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
 * queue-worker's Kafka clients, all from core's {@link KafkaClients} so that each carries the same common settings
 * (its topics created and checked at start), and its one durable producer (acks=all, idempotent): a DSN or a corrupt record counts as written only when {@link #sendAll} returned. Call it from a
 * worker thread, never an event loop.
 */
@ApplicationScoped
public class Kafka {

    private static final Logger LOG = Logger.getLogger("qmgr");

    private final QueueWorkerConfig config;
    private KafkaClients clients;
    private KafkaProducer<String, byte[]> producer;

    Kafka(QueueWorkerConfig config) {
        this.config = config;
    }

    void start(@Observes @Priority(1) StartupEvent event) throws InterruptedException {
        QueueWorkerConfig.Kafka k = config.kafka();
        clients = KafkaClients.open(k.options(config.messageSizeLimit()), "mxgate-queue-worker",
                List.of(k.incomingTopic(), k.deferredTopic(), k.bounceTopic(), k.corruptTopic(), k.queueStateTopic()),
                LOG::warn, LOG::error);
        producer = clients.durableProducer(Map.of());
    }

    void stop(@Observes @Priority(10) ShutdownEvent event) {
        if (producer != null) {
            producer.close(Duration.ofSeconds(10));
        }
        if (clients != null) {
            clients.close();
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

    /** A consumer of group {@code groupId} with the service's common settings and {@code extra} on top. */
    public KafkaConsumer<String, byte[]> consumer(String groupId, Map<String, Object> extra) {
        return clients.consumer(groupId, extra);
    }

    /**
     * A consumer of no group, for reads by assignment that commit nothing (a queue entry's body, a rebuild of the
     * index), with the service's common settings and {@code extra} on top.
     */
    public KafkaConsumer<String, byte[]> reader(Map<String, Object> extra) {
        Map<String, Object> props = new HashMap<>(extra);
        props.put("group.id", null);  // replaces the group named below: Kafka's default, no group, nothing to commit
        return clients.consumer("none", props);
    }

    public boolean reachable() {
        return clients.reachable();
    }
}

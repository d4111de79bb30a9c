package io.mxgate.ingress.queue;

import io.mxgate.core.envelope.Envelope;
import io.mxgate.core.kafka.QueueRecords;
import io.mxgate.core.kafka.Topics;
import io.mxgate.core.domain.AddressClass;
import io.mxgate.ingress.IngressConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.annotation.Priority;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The ingress's side of the queue: one idempotent acks=all producer. {@link #enqueue} completes only when the
 * broker has acknowledged the record, which is the moment the session may say 250 (Postfix says "queued as" only
 * after fsync). {@code KafkaProducer.send} can block while it waits for metadata, so it never runs on an event
 * loop: a single dedicated thread hands records to the producer, and the result comes back on the caller's context.
 * A message whose every recipient is in {@code virtual_mailbox_domains} goes to the mailbox topic, which only
 * lmtp-delivery reads; any other to the incoming topic (ADR 0007).
 */
@ApplicationScoped
public class IncomingQueue {

    private static final Logger LOG = Logger.getLogger("cleanup");

    private final IngressConfig config;
    private KafkaProducer<String, byte[]> producer;
    private Admin admin;
    private ExecutorService sender;

    private final io.micrometer.core.instrument.MeterRegistry metrics;

    IncomingQueue(IngressConfig config, io.micrometer.core.instrument.MeterRegistry metrics) {
        this.config = config;
        this.metrics = metrics;
    }

    void start(@Observes @Priority(10) StartupEvent event) throws Exception {
        IngressConfig.Kafka kafka = config.kafka();
        admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers(),
                "request.timeout.ms", "5000", "default.api.timeout.ms", "10000"));
        if (kafka.createTopics()) {
            try {
                Topics.ensure(admin, List.of(kafka.incomingTopic(), kafka.mailboxTopic()), kafka.partitions(),
                        kafka.replicationFactor(), config.messageSizeLimit(), Duration.ofSeconds(10));
            } catch (Exception e) {
                LOG.warnf("warning: cannot create topics %s and %s now (%s); will write to them once Kafka is back",
                        kafka.incomingTopic(), kafka.mailboxTopic(), e.getMessage());
            }
        }
        Map<String, Object> props = new HashMap<>(Topics.durableProducer(kafka.bootstrapServers(),
                config.messageSizeLimit(), kafka.ackTimeout()));
        props.put("client.id", "mxgate-smtp-ingress");
        props.put("batch.size", Integer.toString(kafka.batchSize()));
        props.put("linger.ms", Long.toString(kafka.linger().toMillis()));
        props.put("compression.type", kafka.compressionType());
        producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        new io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics(producer).bindTo(metrics);
        sender = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "kafka-send");
            t.setDaemon(true);
            return t;
        });
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        if (sender != null) {
            sender.shutdown();
            sender.awaitTermination(config.kafka().ackTimeout().toMillis(), TimeUnit.MILLISECONDS);
        }
        if (producer != null) {
            producer.close(config.kafka().ackTimeout());
        }
        if (admin != null) {
            admin.close(Duration.ofSeconds(2));
        }
    }

    /**
     * Stores a message. The future succeeds once Kafka has acknowledged it on all in-sync replicas, and fails
     * when it has not within {@code mxgate.kafka.ack-timeout}; it completes on {@code context}.
     */
    public Future<RecordMetadata> enqueue(Envelope envelope, byte[] message, List<AddressClass> targetClasses,
                                          Context context) {
        Promise<RecordMetadata> promise = Promise.promise();
        try {
            sender.execute(() -> {
                try {
                    String topic = mailboxOnly(targetClasses) ? config.kafka().mailboxTopic()
                            : config.kafka().incomingTopic();
                    producer.send(QueueRecords.record(topic, envelope, message),
                            (metadata, error) -> context.runOnContext(v -> {
                                if (error == null) {
                                    promise.complete(metadata);
                                } else {
                                    promise.fail(error);
                                }
                            }));
                } catch (RuntimeException e) {
                    context.runOnContext(v -> promise.fail(e));
                }
            });
        } catch (RejectedExecutionException e) {
            promise.fail(e);
        }
        return promise.future();
    }

    /**
     * True when lmtp-delivery takes every target (the same test it applies), so queue-worker need not read the
     * message; the classes are those of the recipients after alias expansion.
     */
    static boolean mailboxOnly(List<AddressClass> targets) {
        return !targets.isEmpty() && targets.stream().allMatch(c -> c == AddressClass.VIRTUAL_MAILBOX);
    }

    /** True when the brokers answer a metadata request (readiness). */
    public boolean reachable() {
        return Topics.reachable(admin, Duration.ofSeconds(2));
    }
}

package io.mxgate.ingress.queue;

import io.mxgate.core.envelope.Envelope;
import io.mxgate.core.kafka.QueueRecords;
import io.mxgate.core.kafka.KafkaClients;
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
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.jboss.logging.Logger;

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
    private KafkaClients clients;
    private ExecutorService sender;

    private final io.micrometer.core.instrument.MeterRegistry metrics;

    IncomingQueue(IngressConfig config, io.micrometer.core.instrument.MeterRegistry metrics) {
        this.config = config;
        this.metrics = metrics;
    }

    void start(@Observes @Priority(10) StartupEvent event) throws Exception {
        IngressConfig.Kafka kafka = config.kafka();
        clients = KafkaClients.open(kafka.options(config.messageSizeLimit()), "mxgate-smtp-ingress",
                List.of(kafka.incomingTopic(), kafka.mailboxTopic()), LOG::warn, LOG::error);
        producer = clients.durableProducer(Map.of("batch.size", Integer.toString(kafka.batchSize()),
                "linger.ms", Long.toString(kafka.linger().toMillis()), "compression.type", kafka.compressionType()));
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
        if (clients != null) {
            clients.close();
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

    /** True when the brokers answer a metadata request and the topics passed their check (readiness). */
    public boolean reachable() {
        return clients.reachable();
    }
}

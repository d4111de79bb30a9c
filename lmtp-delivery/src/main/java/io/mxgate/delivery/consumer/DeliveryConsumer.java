package io.mxgate.delivery.consumer;

import io.micrometer.core.instrument.MeterRegistry;
import io.mxgate.core.client.ClientTimeouts;
import io.mxgate.core.kafka.KafkaClients;
import io.mxgate.core.routing.ResolverRuntime;
import io.mxgate.core.transport.NextHop;
import io.mxgate.delivery.DeliveryConfig;
import io.mxgate.delivery.lmtp.LmtpAgent;
import io.mxgate.core.client.ConnectionPool;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * lmtp-delivery's wiring (ADR 0003, ADR 0007): builds the LMTP agent, the Kafka clients and the {@link DeliveryLoop}
 * that polls the incoming and mailbox topics, routes each record through {@link RecordRouter} and commits as
 * {@link CommitPolicy} says; starts the loop at startup and drains it on SIGTERM.
 */
@ApplicationScoped
public class DeliveryConsumer {

    private static final Logger LOG = Logger.getLogger("qmgr");

    private final DeliveryConfig config;
    private final Vertx vertx;
    private final MeterRegistry metrics;
    private final Clock clock = Clock.systemUTC();

    private ResolverRuntime resolution;
    private ConnectionPool pool;
    private KafkaConsumer<String, byte[]> consumer;
    private KafkaProducer<String, byte[]> producer;
    private KafkaClients clients;
    private DeliveryLoop loop;
    private Thread thread;

    DeliveryConsumer(DeliveryConfig config, Vertx vertx, MeterRegistry metrics) {
        this.config = config;
        this.vertx = vertx;
        this.metrics = metrics;
    }

    void start(@Observes StartupEvent event) throws InterruptedException {
        resolution = new ResolverRuntime(vertx, config.resolution(), config.sql().options(), LOG::warn);
        NextHop nextHop = NextHop.parse(config.virtualTransport());
        if (!nextHop.transport().equals("lmtp") || nextHop.mxLookup()) {
            throw new IllegalArgumentException("mxgate.virtual-transport must be lmtp:[host]:port, got "
                    + config.virtualTransport());
        }
        ClientTimeouts timeouts = new ClientTimeouts(config.lmtpConnectTimeout(), config.lmtpLhloTimeout(),
                config.lmtpLhloTimeout(), config.lmtpMailTimeout(), config.lmtpRcptTimeout(),
                config.lmtpDataInitTimeout(), config.lmtpDataDoneTimeout(), config.lmtpRsetTimeout(),
                config.lmtpQuitTimeout());
        pool = new ConnectionPool(vertx, nextHop, timeouts, config.myhostname(),
                config.lmtpConnectionCacheTimeLimit());
        LmtpAgent agent = new LmtpAgent(pool, config.lmtpDestinationRecipientLimit(), clock);
        DeliveryConfig.Kafka kafka = config.kafka();
        clients = KafkaClients.open(kafka.options(config.messageSizeLimit()), "mxgate-lmtp-delivery",
                List.of(kafka.incomingTopic(), kafka.mailboxTopic(), kafka.deferredTopic(), kafka.bounceTopic(),
                        kafka.corruptTopic()), LOG::warn, LOG::error);
        consumer = clients.consumer(kafka.groupId(), Map.of(
                "max.poll.records", Integer.toString(Math.max(1, config.lmtpDestinationConcurrencyLimit() * 4)),
                "max.poll.interval.ms", Long.toString(
                        DeliveryLoop.maxPollInterval(config.lmtpDrainTimeout(), kafka.ackTimeout()).toMillis())));
        // kafka_consumer_fetch_manager_records_lag_max and friends: the lag per pod on /q/metrics
        new io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics(consumer).bindTo(metrics);
        producer = clients.durableProducer(Map.of());
        RecordRouter router = new RecordRouter(kafka, resolution::resolver, agent, metrics);
        loop = new DeliveryLoop(consumer, producer, router, List.of(kafka.incomingTopic(), kafka.mailboxTopic()),
                config.lmtpDestinationConcurrencyLimit(), kafka.ackTimeout(), config.lmtpDrainTimeout(),
                config.lmtpBackendRetryMaxDelay(), clock);
        thread = new Thread(loop, "lmtp-delivery");
        thread.start();
        LOG.infof("daemon started -- delivering %s and %s to %s", kafka.incomingTopic(), kafka.mailboxTopic(), nextHop);
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        if (loop != null) {
            loop.stop();
            thread.join(loop.stopTimeout().toMillis());
        }
        if (pool != null) {
            pool.close();
        }
        if (resolution != null) {
            resolution.close();
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(10));
        }
        if (clients != null) {
            clients.close();
        }
    }

    /** True when Kafka answers and the topics passed the durability check; for readiness. */
    public boolean kafkaReachable() {
        return clients.reachable();
    }

    /**
     * False once the delivery loop has died of an unexpected error: mail would then wait in Kafka for good, so
     * liveness goes DOWN and the pod is restarted (offsets were never committed past undelivered mail).
     */
    public boolean loopAlive() {
        return thread != null && thread.isAlive();
    }

    /** Why the LMTP backend could not be reached on the last try, or null when it could. */
    public String backendProblem() {
        return loop == null ? null : loop.backendProblem();
    }
}

package io.mxgate.core.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * A service's Kafka clients, all built here from {@link KafkaOptions}: one admin client, the durable producer and the
 * consumer. {@link #open} creates the service's missing topics with the configured {@link Durability} and checks
 * every one of them, existing ones included: a topic weaker than configured would let a 250 rest on fewer copies
 * than promised, so the service refuses to start ({@link WeakTopicsException}). When Kafka does not answer at start,
 * the check waits for {@link #reachable}, which stays false until it has passed.
 */
public final class KafkaClients implements AutoCloseable {

    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(10);

    private final KafkaOptions options;
    private final String clientId;
    private final List<String> topics;
    private final Consumer<String> warning;
    private final Consumer<String> fatal;
    private final Admin admin;
    private volatile boolean checked;
    private volatile String weakness;

    /** The topics' state makes the service unsafe to run; the message is the log line. */
    public static final class WeakTopicsException extends RuntimeException {
        WeakTopicsException(String message) {
            super(message);
        }
    }

    private KafkaClients(KafkaOptions options, String clientId, List<String> topics, Consumer<String> warning,
                         Consumer<String> fatal) {
        this.options = options;
        this.clientId = clientId;
        this.topics = List.copyOf(topics);
        this.warning = warning;
        this.fatal = fatal;
        Map<String, Object> props = new HashMap<>(options.common());
        props.put("client.id", clientId + "-admin");
        props.put("request.timeout.ms", "5000");
        props.put("default.api.timeout.ms", Long.toString(ADMIN_TIMEOUT.toMillis()));
        this.admin = Admin.create(props);
    }

    /**
     * Opens the admin client, creates the missing {@code topics} (when {@code mxgate.kafka.create-topics}) and checks
     * them all. {@code warning} and {@code fatal} take Postfix-style log lines ("warning: ...", "fatal: ...").
     *
     * @throws WeakTopicsException when a topic is weaker than configured, cannot be created, or is missing
     */
    public static KafkaClients open(KafkaOptions options, String clientId, List<String> topics,
                                    Consumer<String> warning, Consumer<String> fatal) throws InterruptedException {
        KafkaClients clients = new KafkaClients(options, clientId, topics, warning, fatal);
        try {
            clients.prepare();
        } catch (WeakTopicsException e) {
            fatal.accept(e.getMessage());
            clients.close();
            throw e;
        } catch (RuntimeException | InterruptedException e) {
            clients.close();
            throw e;
        }
        return clients;
    }

    private void prepare() throws InterruptedException {
        try {
            if (options.createTopics()) {
                create();
            }
            check();
        } catch (TimeoutException | ExecutionException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            if (cause instanceof AuthenticationException) {
                throw new WeakTopicsException("fatal: Kafka refused this service's login or TLS handshake (" + cause
                        + "); check mxgate.kafka.security-protocol, mxgate.kafka.sasl-* and mxgate.kafka.ssl-*; "
                        + "refusing to start");
            }
            if (!(cause instanceof TimeoutException
                    || cause instanceof org.apache.kafka.common.errors.TimeoutException)) {
                throw new WeakTopicsException("fatal: cannot create or check Kafka topics " + topics + ": " + cause
                        + "; refusing to start");
            }
            warning.accept("warning: cannot create or check Kafka topics " + topics + " now (" + cause
                    + "); not ready until Kafka answers and they pass the check");
        }
    }

    private void create() throws InterruptedException, ExecutionException, TimeoutException {
        Map<String, String> configs = new HashMap<>(options.durability().topicConfigs());
        configs.put(TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
                Integer.toString(Topics.maxRecordBytes(options.messageSizeLimit())));
        List<NewTopic> wanted = new ArrayList<>();
        for (String name : topics) {
            wanted.add(new NewTopic(name, options.partitions(), options.durability().replicationFactor())
                    .configs(configs));
        }
        for (var result : admin.createTopics(wanted).values().values()) {
            try {
                result.get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        }
    }

    /**
     * Compares each topic's replica count, effective {@code min.insync.replicas} and
     * {@code unclean.leader.election.enable} with the configured {@link Durability}.
     */
    private void check() throws InterruptedException, ExecutionException, TimeoutException {
        Map<String, TopicDescription> described = describe();
        List<ConfigResource> resources = topics.stream()
                .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList();
        Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all()
                .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        List<String> problems = new ArrayList<>();
        for (ConfigResource resource : resources) {
            String topic = resource.name();
            Config config = configs.get(resource);
            int replicas = described.get(topic).partitions().stream()
                    .mapToInt(p -> p.replicas().size()).min().orElse(0);
            var observed = new Durability.Observed(topic, replicas,
                    Integer.parseInt(config.get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG).value()),
                    Boolean.parseBoolean(config.get(TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG).value()));
            List<String> shortfalls = options.durability().shortfalls(observed);
            if (!shortfalls.isEmpty()) {
                problems.add(topic + " (" + String.join(", ", shortfalls) + ")");
            }
        }
        checked = true;
        if (!problems.isEmpty()) {
            weakness = "fatal: Kafka topics weaker than configured, an acknowledged message could be lost: "
                    + String.join("; ", problems) + "; refusing to start";
            throw new WeakTopicsException(weakness);
        }
    }

    /** The topics' descriptions; a topic created a moment ago may take a moment to reach every broker's metadata. */
    private Map<String, TopicDescription> describe() throws InterruptedException, ExecutionException, TimeoutException {
        long end = System.nanoTime() + ADMIN_TIMEOUT.toNanos();
        while (true) {
            try {
                return admin.describeTopics(topics).allTopicNames()
                        .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > end) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }

    /** The durable producer (acks=all, idempotent, sized for the message size limit) with {@code extra} on top. */
    public KafkaProducer<String, byte[]> durableProducer(Map<String, Object> extra) {
        Map<String, Object> props = new HashMap<>(options.common());
        props.putAll(Topics.durableProducer(options.bootstrapServers(), options.messageSizeLimit(),
                options.ackTimeout()));
        props.put("client.id", clientId);
        props.putAll(extra);
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    /** A consumer of group {@code groupId} (manual commits, sized for the largest message) with {@code extra}. */
    public KafkaConsumer<String, byte[]> consumer(String groupId, Map<String, Object> extra) {
        Map<String, Object> props = new HashMap<>(options.common());
        props.putAll(Topics.consumer(options.bootstrapServers(), groupId, options.messageSizeLimit()));
        props.put("client.id", clientId);
        props.putAll(extra);
        return new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    }

    /**
     * True when the cluster answers a metadata request and the topics have passed the check (readiness). A check
     * put off at start runs here once Kafka answers; topics found weak then keep this false for good.
     */
    public boolean reachable() {
        if (!Topics.reachable(admin, Duration.ofSeconds(2)) || weakness != null) {
            return false;
        }
        if (!checked) {
            try {
                prepare();
            } catch (WeakTopicsException e) {
                weakness = e.getMessage();
                fatal.accept(weakness);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return checked && weakness == null;
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(2));
    }
}

package io.mxgate.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * A whole mxgate on free ports in its own run directory: a real KRaft Kafka broker, Redis, a private Dovecot and
 * the services as built by Maven, started through the same dev/ scripts as {@code ./mxgate up}, with the
 * environment {@code dev/service-env.sh} gives them. Parts can be stopped, killed and started again for fault tests.
 * Close it to stop everything it started.
 *
 * <p>Kafka is one node unless the settings hold {@link #KAFKA_BROKERS} ({@code MXGATE_KAFKA_BROKERS=3}, as for
 * {@code ./mxgate up}): then a KRaft cluster of that many nodes, each broker and controller in a process of its own
 * ({@code dev/kafka.sh cluster}), Kafka's own topics and the services' at replication factor 3 and
 * min.insync.replicas 2 from three nodes on. {@link #killBroker}, {@link #stopBroker} and {@link #startBroker} act
 * on one node, {@link #partitionLeader} tells which node leads a partition.
 */
public final class Stack implements AutoCloseable {

    public static final List<String> SERVICES = List.of("smtp-ingress", "verifier", "queue-worker", "lmtp-delivery");

    /** A setting of {@link #start} that is not the services': how many Kafka nodes to run (default 1). */
    public static final String KAFKA_BROKERS = "MXGATE_KAFKA_BROKERS";

    /** Kafka node {@code node} (1, 2, ...), its broker and controller ports. */
    private record Broker(int node, int port, int controllerPort) {
    }

    private final Path dir;
    private final List<Broker> brokers = new ArrayList<>();
    private final int redisPort = Ports.free();
    private final int lmtpPort = Ports.free();
    private final int imapPort = Ports.free();
    private final int smtpPort = Ports.free();
    private final int proxyPort = Ports.free();
    private final int authPort = Ports.free();
    private final int quotaStatusPort = Ports.free();
    private final Map<String, Integer> httpPorts = new LinkedHashMap<>();
    private final Map<String, String> settings = new LinkedHashMap<>();
    private final Map<String, Map<String, String>> serviceSettings = new LinkedHashMap<>();
    private final List<String> running = new ArrayList<>();
    /** With {@link #startSaslSsl}: the test CA and users of dev/kafka-security.sh, and what a client needs. */
    private Path kafkaSecurity;
    private final Map<String, Object> kafkaClientSecurity = new LinkedHashMap<>();

    private Stack(Map<String, String> overrides, Map<String, Map<String, String>> serviceOverrides) {
        try {
            dir = Files.createTempDirectory(Path.of("/tmp"), "mxgate-test-");
            dir.toFile().setExecutable(true, false);
            dir.toFile().setReadable(true, false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (String s : SERVICES) {
            httpPorts.put(s, Ports.free());
        }
        int nodes = Integer.parseInt(overrides.getOrDefault(KAFKA_BROKERS, "1"));
        for (int node = 1; node <= nodes; node++) {
            brokers.add(new Broker(node, Ports.free(), Ports.free()));
        }
        String serviceEnv = Script.run("service-env.sh",
                "--kafka", String.join(",", brokers.stream().map(b -> Integer.toString(b.port())).toList()),
                "--redis", redisPort, "--lmtp", lmtpPort, "--smtp", smtpPort, "--proxy", proxyPort,
                "--verifier-http", httpPorts.get("verifier"), "--tls", dir.resolve("tls"), "--sasl-auth", authPort);
        serviceEnv.lines().forEach(line -> {
            int eq = line.indexOf('=');
            if (!line.startsWith("MXGATE_") || eq < 0) {
                throw new IllegalStateException("dev/service-env.sh printed " + line);
            }
            settings.put(line.substring(0, eq), line.substring(eq + 1));
        });
        // a test machine's two cores run the test JVM and a whole stack: a cold verifier's first probe can take
        // longer than the 5 s production default, and the first RCPT of a test would get a 450 it does not test
        settings.put("MXGATE_VERIFIER_TIMEOUT", "20s");
        overrides.forEach((k, v) -> settings.put(k, expand(v)));
        settings.remove(KAFKA_BROKERS);
        serviceOverrides.forEach((service, env) -> {
            if (!SERVICES.contains(service)) {
                throw new IllegalArgumentException("no service " + service + " in " + SERVICES);
            }
            Map<String, String> expanded = new LinkedHashMap<>();
            env.forEach((k, v) -> expanded.put(k, expand(v)));
            serviceSettings.put(service, expanded);
        });
    }

    /**
     * Starts everything with the default settings plus {@code overrides} (MXGATE_* environment names, and
     * {@link #KAFKA_BROKERS} for a Kafka cluster).
     */
    public static Stack start(Map<String, String> overrides) {
        return start(overrides, Map.of());
    }

    /**
     * Starts everything with the default settings plus {@code overrides}, each service also with its own entry of
     * {@code serviceOverrides} (service name to MXGATE_* settings, on top), as a Deployment gives each its own env.
     */
    public static Stack start(Map<String, String> overrides, Map<String, Map<String, String>> serviceOverrides) {
        return launch(new Stack(overrides, serviceOverrides), true);
    }

    /**
     * Kafka, Redis and Dovecot only, for services that run elsewhere (the chart's pods under podman), reaching them
     * with the settings {@link #setting} gives and listening on the ports {@link #smtpPort} and {@link #httpPort}
     * reserve for them.
     */
    public static Stack backends(Map<String, String> overrides) {
        return launch(new Stack(overrides, Map.of()), false);
    }

    /** The SCRAM-SHA-512 user the services log in as with {@link #startSaslSsl}. */
    public static final String KAFKA_USER = "mxgate";
    public static final String KAFKA_PASSWORD = "mxgate-test-secret";

    /**
     * As {@link #start(Map, Map)}, with a Kafka that only accepts SASL_SSL: SCRAM-SHA-512 user {@link #KAFKA_USER},
     * TLS with a test CA ({@code {dir}/kafka-security/ca.crt}, dev/kafka-security.sh). The services get the client
     * settings (MXGATE_KAFKA_SECURITY_PROTOCOL, ...) unless {@code overrides} set them; {@link #produce} and
     * {@link #topic} log in too.
     */
    public static Stack startSaslSsl(Map<String, String> overrides,
                                     Map<String, Map<String, String>> serviceOverrides) {
        Stack s = new Stack(overrides, serviceOverrides);
        s.kafkaSecurity = s.dir.resolve("kafka-security");
        Script.run("kafka-security.sh", s.kafkaSecurity, KAFKA_USER + "=" + KAFKA_PASSWORD);
        String ca = s.kafkaSecurity.resolve("ca.crt").toString();
        Map<String, String> client = Map.of("MXGATE_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "MXGATE_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512", "MXGATE_KAFKA_SASL_USERNAME", KAFKA_USER,
                "MXGATE_KAFKA_SASL_PASSWORD", KAFKA_PASSWORD, "MXGATE_KAFKA_SSL_TRUSTSTORE_LOCATION", ca);
        client.forEach(s.settings::putIfAbsent);
        s.kafkaClientSecurity.putAll(Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512",
                "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                        + KAFKA_USER + "\" password=\"" + KAFKA_PASSWORD + "\";",
                "ssl.truststore.type", "PEM", "ssl.truststore.location", ca));
        return launch(s, true);
    }

    private static Stack launch(Stack s, boolean services) {
        try {
            Script.run("tls.sh", s.dir.resolve("tls"));
            s.startKafka();
            s.startRedis();
            s.startDovecot();
            for (String service : services ? SERVICES : List.<String>of()) {
                s.startService(service);
            }
            return s;
        } catch (RuntimeException e) {
            System.setProperty("mxgate.keep", "true");
            s.close();
            throw new IllegalStateException("stack failed to start; its logs are kept in " + s.dir, e);
        }
    }

    public int smtpPort() {
        return smtpPort;
    }

    /** The PROXY-protocol SMTP listener (open when MXGATE_SMTPD_UPSTREAM_PROXY_PROTOCOL=haproxy). */
    public int proxyPort() {
        return proxyPort;
    }

    public int imapPort() {
        return imapPort;
    }

    /** Dovecot's quota-status policy service ({@code check_policy_service inet:127.0.0.1:port}). */
    public int quotaStatusPort() {
        return quotaStatusPort;
    }

    /**
     * Settings may name this stack's own ports before they are known: {@code {quota-status-port}},
     * {@code {redis-port}} and {@code {dir}} in a value are replaced.
     */
    private String expand(String value) {
        return value.replace("{quota-status-port}", Integer.toString(quotaStatusPort))
                .replace("{redis-port}", Integer.toString(redisPort)).replace("{dir}", dir.toString());
    }

    public int lmtpPort() {
        return lmtpPort;
    }

    /** An MXGATE_* setting as the services got it. */
    public String setting(String name) {
        return settings.get(name);
    }

    public int httpPort(String service) {
        return httpPorts.get(service);
    }

    public Path dir() {
        return dir;
    }

    /** The brokers as a client's {@code bootstrap.servers}: every node of a cluster. */
    public String bootstrapServers() {
        return setting("MXGATE_KAFKA_BOOTSTRAP_SERVERS");
    }

    /** Starts Kafka: the one node, or every node of the cluster together (none is ready before a quorum runs). */
    public void startKafka() {
        if (brokers.size() == 1) {
            startBroker(1);
        } else {
            List<Object> args = new ArrayList<>(List.of("cluster", dir));
            brokers.forEach(b -> args.add(b.port() + ":" + b.controllerPort()));
            Script.run(kafkaEnv(), "kafka.sh", args.toArray());
        }
        running.add("kafka");
    }

    /**
     * SIGTERM to every Kafka node that runs, all at once: a node stopped after the others would find no quorum to
     * report its shutdown to.
     */
    public void stopKafka() {
        List<java.util.concurrent.CompletableFuture<String>> stops = brokers.stream()
                .map(b -> java.util.concurrent.CompletableFuture.supplyAsync(
                        () -> Script.run("kafka.sh", "stop", brokerDir(b.node()))))
                .toList();
        stops.forEach(java.util.concurrent.CompletableFuture::join);
        running.remove("kafka");
    }

    /** SIGKILL to Kafka node {@code node} (1, 2, ...), as a crash: nothing flushed, no controlled shutdown. */
    public void killBroker(int node) {
        Script.run("kafka.sh", "kill", brokerDir(node));
    }

    /** SIGTERM to Kafka node {@code node}, and wait for it to exit (a controlled shutdown). */
    public void stopBroker(int node) {
        Script.run("kafka.sh", "stop", brokerDir(node));
    }

    /** Starts Kafka node {@code node} of a cluster again, and waits until it runs (a quorum must be up). */
    public void startBroker(int node) {
        Broker b = broker(node);
        if (brokers.size() == 1) {
            Script.run(kafkaEnv(), "kafka.sh", "start", brokerDir(node), b.port(), b.controllerPort());
        } else {
            String voters = String.join(",", brokers.stream()
                    .map(v -> v.node() + "@127.0.0.1:" + v.controllerPort()).toList());
            Script.run(kafkaEnv(), "kafka.sh", "start", brokerDir(node), b.port(), b.controllerPort(), node,
                    voters);
        }
    }

    /**
     * The node that leads partition {@code partition} of {@code topic} now, as the cluster's metadata says; empty
     * while it has no leader.
     */
    public java.util.OptionalInt partitionLeader(String topic, int partition) {
        Map<String, Object> props = kafkaClient(Map.of("request.timeout.ms", "5000",
                "default.api.timeout.ms", "10000"));
        try (var admin = org.apache.kafka.clients.admin.Admin.create(props)) {
            var leader = admin.describeTopics(List.of(topic)).allTopicNames()
                    .get(10, java.util.concurrent.TimeUnit.SECONDS).get(topic).partitions().get(partition).leader();
            return leader == null || leader.isEmpty() ? java.util.OptionalInt.empty()
                    : java.util.OptionalInt.of(leader.id());
        } catch (Exception e) {
            throw new IllegalStateException("cannot describe " + topic + ": " + e, e);
        }
    }

    private Broker broker(int node) {
        if (node < 1 || node > brokers.size()) {
            throw new IllegalArgumentException("no Kafka node " + node + " of " + brokers.size());
        }
        return brokers.get(node - 1);
    }

    /** Node {@code node}'s run directory: {@code kafka} for the one node, {@code kafka-N} in a cluster. */
    private Path brokerDir(int node) {
        broker(node);
        return dir.resolve(brokers.size() == 1 ? "kafka" : "kafka-" + node);
    }

    public void startDovecot() {
        Script.run("dovecot.sh", "start", dir.resolve("dovecot"), lmtpPort, imapPort, authPort, quotaStatusPort);
        running.add("dovecot");
    }

    /** Adds mailboxes to the running Dovecot (user@example.test, password demo). */
    public void addMailboxes(String... users) {
        List<Object> args = new ArrayList<>(List.of("users", dir.resolve("dovecot")));
        args.addAll(List.of(users));
        Script.run("dovecot.sh", args.toArray());
        try {
            // Dovecot's passwd-file checks for changes at most once a second: wait until the next one.
            Thread.sleep(1_100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public void stopDovecot() {
        Script.run("dovecot.sh", "stop", dir.resolve("dovecot"));
        running.remove("dovecot");
    }

    public void startService(String service) {
        try {
            runService(service);
        } catch (IllegalStateException e) {
            if (!e.getMessage().contains("port " + httpPorts.get(service) + " is already in use")) {
                throw e;
            }
            // something else took the HTTP port between stops and starts: move to a new one
            httpPorts.put(service, Ports.free());
            runService(service);
        }
        running.add(service);
    }

    private void runService(String service) {
        List<Object> args = new ArrayList<>(List.of("start", service, dir.resolve(service), httpPorts.get(service)));
        settings.forEach((k, v) -> args.add(k + "=" + v));
        serviceSettings.getOrDefault(service, Map.of()).forEach((k, v) -> args.add(k + "=" + v));
        Script.run("service.sh", args.toArray());
    }

    /**
     * A second (third, ...) instance of a service, with its own HTTP port, run directory and {@code env} on top of
     * the stack-wide settings (not the service's own overrides given to {@link #start(Map, Map)}).
     */
    public record Replica(String service, String name, int httpPort) {
    }

    public Replica startReplica(String service, String name, Map<String, String> env) {
        int port = Ports.free();
        List<Object> args = new ArrayList<>(List.of("start", service, dir.resolve(name), port));
        Map<String, String> all = new LinkedHashMap<>(settings);
        all.putAll(env);
        all.forEach((k, v) -> args.add(k + "=" + v));
        Script.run("service.sh", args.toArray());
        running.add(name + "=" + service);
        return new Replica(service, name, port);
    }

    /** SIGTERM to a replica started with {@link #startReplica}, and wait for it to exit. */
    public void stopReplica(Replica replica) {
        stopPart(replica.name() + "=" + replica.service());
    }

    /** The log of a replica started with {@link #startReplica}. */
    public String log(Replica replica) {
        return read(dir.resolve(replica.name()).resolve(replica.service() + ".log"));
    }

    public void stopRedis() {
        Script.run("redis.sh", "stop", dir.resolve("redis"));
        running.remove("redis");
    }

    public void startRedis() {
        List<Object> args = new ArrayList<>(List.of("start", dir.resolve("redis"), redisPort));
        args.addAll(redisSecurityOptions());
        Script.run("redis.sh", args.toArray());
        running.add("redis");
    }

    /**
     * Settings (to add to {@link #start(Map)}'s) for a Redis reachable only over TLS, its certificate from a test CA
     * (dev/redis-tls.sh), that only the ACL user {@code mxgate} with {@code password} may use. The stack's Redis is
     * then started as the settings describe it, and {@link #redis(String...)} speaks TLS and AUTHs.
     */
    public static Map<String, String> secureRedis(String password) {
        return Map.of("MXGATE_REDIS_URL", "rediss://127.0.0.1:{redis-port}?user=mxgate",
                "MXGATE_REDIS_PASSWORD", password,
                "MXGATE_REDIS_TLS_CA_FILE", "{dir}/redis-tls/ca.pem");
    }

    /** dev/redis.sh's options for the Redis the services' settings describe: password, ACL user (?user=), TLS. */
    private List<Object> redisSecurityOptions() {
        List<Object> options = new ArrayList<>();
        if (!redisPassword().isEmpty()) {
            options.addAll(List.of("--password", redisPassword()));
        }
        redisUser().ifPresent(user -> options.addAll(List.of("--user", user)));
        if (redisTls()) {
            Script.run("redis-tls.sh", dir.resolve("redis-tls"));
            options.addAll(List.of("--tls", dir.resolve("redis-tls")));
        }
        return options;
    }

    private boolean redisTls() {
        return settings.get("MXGATE_REDIS_URL").startsWith("rediss:");
    }

    private String redisPassword() {
        return settings.getOrDefault("MXGATE_REDIS_PASSWORD", "");
    }

    private java.util.Optional<String> redisUser() {
        String query = java.net.URI.create(settings.get("MXGATE_REDIS_URL")).getQuery();
        return query == null ? java.util.Optional.empty() : java.util.Arrays.stream(query.split("&"))
                .filter(p -> p.startsWith("user=")).map(p -> p.substring(5)).findFirst();
    }

    /** A connection to this stack's Redis: over TLS, checking its certificate against the CA file, when rediss://. */
    private java.net.Socket redisSocket() throws IOException {
        if (!redisTls()) {
            return new java.net.Socket("127.0.0.1", redisPort);
        }
        try {
            var trust = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
            trust.load(null, null);
            try (var ca = Files.newInputStream(Path.of(settings.get("MXGATE_REDIS_TLS_CA_FILE")))) {
                int i = 0;
                for (var cert : java.security.cert.CertificateFactory.getInstance("X.509").generateCertificates(ca)) {
                    trust.setCertificateEntry("ca" + i++, cert);
                }
            }
            var trustManagers = javax.net.ssl.TrustManagerFactory.getInstance(
                    javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(trust);
            var tls = javax.net.ssl.SSLContext.getInstance("TLS");
            tls.init(null, trustManagers.getTrustManagers(), null);
            var socket = (javax.net.ssl.SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", redisPort);
            var parameters = socket.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            socket.setSSLParameters(parameters);
            return socket;
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException("TLS to Redis: " + e, e);
        }
    }

    private static byte[] resp(List<String> command) {
        StringBuilder req = new StringBuilder("*").append(command.size()).append("\r\n");
        for (String c : command) {
            req.append('$').append(c.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(c).append("\r\n");
        }
        return req.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * One command to this stack's Redis as redis-cli sends it (RESP); the first line of the reply, e.g. {@code +OK}
     * for {@code FLUSHALL}, as an operator or a lost dataset would leave it. 5 s at most. Over TLS and after AUTH
     * with the services' credentials when their settings ask for them; a refused AUTH's error is the reply.
     */
    public String redis(String... command) {
        try (java.net.Socket socket = redisSocket()) {
            socket.setSoTimeout(5000);
            List<String> auth = new ArrayList<>(List.of("AUTH"));
            redisUser().ifPresent(auth::add);
            auth.add(redisPassword());
            if (!redisPassword().isEmpty()) {
                socket.getOutputStream().write(resp(auth));
            }
            socket.getOutputStream().write(resp(List.of(command)));
            var in = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
                    StandardCharsets.UTF_8), 4096);
            String line = in.readLine();
            if (!redisPassword().isEmpty() && "+OK".equals(line)) {
                line = in.readLine();
            }
            return line == null ? "" : line;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SIGTERM to a service and wait for it to exit (its graceful drain). */
    public void stopService(String service) {
        Script.run("service.sh", "stop", service, dir.resolve(service));
        running.remove(service);
    }

    /** SIGKILL, as a crash: no shutdown hooks, nothing flushed or committed (dev/service.sh kill). */
    public void killService(String service) {
        Script.run("service.sh", "kill", service, dir.resolve(service));
        running.remove(service);
    }

    private void stopPart(String part) {
        int eq = part.indexOf('=');
        if (eq < 0) {
            stopService(part);
        } else {
            Script.run("service.sh", "stop", part.substring(eq + 1), dir.resolve(part.substring(0, eq)));
            running.remove(part);
        }
    }

    /** Writes a record to this stack's Kafka as a service would (acks=all), and waits for the broker's ack. */
    public void produce(org.apache.kafka.clients.producer.ProducerRecord<String, byte[]> record) {
        Map<String, Object> props = kafkaClient(Map.of("acks", "all"));
        try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<>(props,
                new org.apache.kafka.common.serialization.StringSerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            producer.send(record).get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot write to " + record.topic() + ": " + e, e);
        }
    }

    /** The values of every record on a topic so far (read from the start with a throwaway consumer group). */
    public List<String> topic(String name) {
        Map<String, Object> props = kafkaClient(Map.of(
                "group.id", "testkit-" + java.util.UUID.randomUUID(), "auto.offset.reset", "earliest",
                "enable.auto.commit", "false", "max.partition.fetch.bytes", "16777216", "fetch.max.bytes", "16777216"));
        List<String> values = new ArrayList<>();
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<>(props,
                new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            consumer.subscribe(List.of(name));
            long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            int idle = 0;
            while (System.nanoTime() < end && idle < 3) {
                var records = consumer.poll(Duration.ofMillis(500));
                if (records.isEmpty() && !consumer.assignment().isEmpty()) {
                    idle++;
                }
                records.forEach(r -> values.add(new String(r.value(), StandardCharsets.ISO_8859_1)));
            }
        }
        return values;
    }

    /** Client properties for this stack's Kafka: {@code extra}, where it is, and how to log in when secured. */
    private Map<String, Object> kafkaClient(Map<String, Object> extra) {
        Map<String, Object> props = new LinkedHashMap<>(extra);
        props.put("bootstrap.servers", bootstrapServers());
        props.putAll(kafkaClientSecurity);
        return props;
    }

    /** dev/kafka.sh's environment: a secured listener when {@link #startSaslSsl} made the stack. */
    private Map<String, String> kafkaEnv() {
        return kafkaSecurity == null ? Map.of() : Map.of("KAFKA_SECURITY_DIR", kafkaSecurity.toString());
    }

    /** A service's log so far. */
    public String log(String service) {
        return read(dir.resolve(service).resolve(service + ".log"));
    }

    public String dovecotLog() {
        return read(dir.resolve("dovecot").resolve("dovecot.log"));
    }

    /** The message files in a user's Maildir (new and cur). */
    public List<Path> maildir(String user) {
        Path base = dir.resolve("dovecot/mail/example.test").resolve(user).resolve("Maildir");
        List<Path> files = new ArrayList<>();
        for (String sub : List.of("new", "cur")) {
            Path d = base.resolve(sub);
            if (Files.isDirectory(d)) {
                try (Stream<Path> s = Files.list(d)) {
                    s.forEach(files::add);
                }  catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return files;
    }

    /** The messages of a user's Maildir that contain {@code text}. */
    public List<String> messagesContaining(String user, String text) {
        return maildir(user).stream().map(Stack::read).filter(m -> m.contains(text)).toList();
    }

    /** Polls {@code condition} every 50 ms until it holds; false when {@code timeout} passed first. */
    public static boolean await(Duration timeout, BooleanSupplier condition) {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (condition.getAsBoolean()) {
                return true;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return condition.getAsBoolean();
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p, StandardCharsets.ISO_8859_1) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        List<RuntimeException> failures = new ArrayList<>();
        List<String> parts = new ArrayList<>(running);
        java.util.Collections.reverse(parts);
        for (String part : parts) {
            try {
                switch (part) {
                    case "kafka" -> stopKafka();
                    case "redis" -> stopRedis();
                    case "dovecot" -> stopDovecot();
                    default -> stopPart(part);
                }
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        running.clear();
        if (failures.isEmpty() && !Boolean.getBoolean("mxgate.keep")) {
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                failures.add(new UncheckedIOException(e));
            }
        }
        if (!failures.isEmpty()) {
            throw failures.get(0);
        }
    }
}

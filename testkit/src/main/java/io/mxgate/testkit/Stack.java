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
 * the services as built by Maven, started through the same dev/ scripts as {@code ./mxgate up}. Parts can be
 * stopped, killed and started again for fault tests. Close it to stop everything it started.
 */
public final class Stack implements AutoCloseable {

    public static final List<String> SERVICES = List.of("smtp-ingress", "verifier", "queue-worker", "lmtp-delivery");

    private final Path dir;
    private final int kafkaPort = Ports.free();
    private final int kafkaControllerPort = Ports.free();
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
        settings.put("MXGATE_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:" + kafkaPort);
        // one broker: the production defaults (3 and 2) cannot be met, see mxgate.kafka.min-insync-replicas
        settings.put("MXGATE_KAFKA_REPLICATION_FACTOR", "1");
        settings.put("MXGATE_KAFKA_MIN_INSYNC_REPLICAS", "1");
        settings.put("MXGATE_REDIS_URL", "redis://127.0.0.1:" + redisPort);
        settings.put("MXGATE_VIRTUAL_TRANSPORT", "lmtp:[127.0.0.1]:" + lmtpPort);
        settings.put("MXGATE_SMTPD_PORT", Integer.toString(smtpPort));
        settings.put("MXGATE_SMTPD_PROXY_PORT", Integer.toString(proxyPort));
        settings.put("MXGATE_MYHOSTNAME", "mx.example.test");
        settings.put("MXGATE_VERIFIER_URL", "http://127.0.0.1:" + httpPorts.get("verifier"));
        settings.put("MXGATE_SMTPD_TLS_CERT_FILE", dir.resolve("tls/cert.pem").toString());
        settings.put("MXGATE_SMTPD_TLS_KEY_FILE", dir.resolve("tls/key.pem").toString());
        settings.put("MXGATE_SMTPD_SASL_AUTH_ENABLE", "true");
        settings.put("MXGATE_SMTPD_SASL_PATH", "inet:127.0.0.1:" + authPort);
        // No DNS leaves this machine from a test: name lookups only where a test brings its own DNS server.
        settings.put("MXGATE_SMTPD_PEERNAME_LOOKUP", "false");
        overrides.forEach((k, v) -> settings.put(k, expand(v)));
        serviceOverrides.forEach((service, env) -> {
            if (!SERVICES.contains(service)) {
                throw new IllegalArgumentException("no service " + service + " in " + SERVICES);
            }
            Map<String, String> expanded = new LinkedHashMap<>();
            env.forEach((k, v) -> expanded.put(k, expand(v)));
            serviceSettings.put(service, expanded);
        });
    }

    /** Starts everything with the default settings plus {@code overrides} (MXGATE_* environment names). */
    public static Stack start(Map<String, String> overrides) {
        return start(overrides, Map.of());
    }

    /**
     * Starts everything with the default settings plus {@code overrides}, each service also with its own entry of
     * {@code serviceOverrides} (service name to MXGATE_* settings, on top), as a Deployment gives each its own env.
     */
    public static Stack start(Map<String, String> overrides, Map<String, Map<String, String>> serviceOverrides) {
        return launch(new Stack(overrides, serviceOverrides));
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
        return launch(s);
    }

    private static Stack launch(Stack s) {
        try {
            Script.run("tls.sh", s.dir.resolve("tls"));
            s.startKafka();
            s.startRedis();
            s.startDovecot();
            for (String service : SERVICES) {
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
     * Settings may name this stack's own ports before they are known: {@code {quota-status-port}} and
     * {@code {dir}} in a value are replaced.
     */
    private String expand(String value) {
        return value.replace("{quota-status-port}", Integer.toString(quotaStatusPort)).replace("{dir}", dir.toString());
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

    public void startKafka() {
        Map<String, String> env = kafkaSecurity == null ? Map.of() : Map.of("KAFKA_SECURITY_DIR", kafkaSecurity.toString());
        Script.run(env, "kafka.sh", "start", dir.resolve("kafka"), kafkaPort, kafkaControllerPort);
        running.add("kafka");
    }

    public void stopKafka() {
        Script.run("kafka.sh", "stop", dir.resolve("kafka"));
        running.remove("kafka");
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
        Script.run("redis.sh", "start", dir.resolve("redis"), redisPort);
        running.add("redis");
    }

    /**
     * One command to this stack's Redis as redis-cli sends it (RESP); the first line of the reply, e.g. {@code +OK}
     * for {@code FLUSHALL}, as an operator or a lost dataset would leave it. 5 s at most.
     */
    public String redis(String... command) {
        StringBuilder req = new StringBuilder("*").append(command.length).append("\r\n");
        for (String c : command) {
            req.append('$').append(c.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(c).append("\r\n");
        }
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", redisPort)) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(req.toString().getBytes(StandardCharsets.UTF_8));
            var in = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
                    StandardCharsets.UTF_8), 4096);
            String line = in.readLine();
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
        props.put("bootstrap.servers", "127.0.0.1:" + kafkaPort);
        props.putAll(kafkaClientSecurity);
        return props;
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

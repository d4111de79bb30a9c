package io.mxgate.core.kafka;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * How a service's Kafka clients reach a managed cluster (Strimzi, MSK, Confluent): the security protocol, SASL
 * credentials, and the TLS trust and key stores, from config's {@code mxgate.kafka.security-protocol},
 * {@code mxgate.kafka.sasl-*} and {@code mxgate.kafka.ssl-*}. Every admin client, producer and consumer that
 * {@link KafkaClients} builds starts from {@link #clientProperties()}. A combination that would connect differently
 * from what was written (SASL settings on a protocol without SASL, a SASL protocol without credentials, stores on a
 * protocol without TLS) is refused at start rather than ignored. No password appears in {@link #toString()}.
 */
public record KafkaSecurity(Protocol protocol, Optional<Sasl> sasl, Optional<Store> truststore,
                            Optional<Store> keystore, boolean checkHostname) {

    public KafkaSecurity {
        if (protocol.sasl && sasl.isEmpty()) {
            throw new IllegalArgumentException("mxgate.kafka.security-protocol " + protocol + " needs "
                    + "mxgate.kafka.sasl-mechanism and either mxgate.kafka.sasl-username with mxgate.kafka.sasl-password "
                    + "or mxgate.kafka.sasl-jaas-config");
        }
        if (!protocol.sasl && sasl.isPresent()) {
            throw new IllegalArgumentException("mxgate.kafka.sasl-* is set but mxgate.kafka.security-protocol " + protocol
                    + " does not use SASL (SASL_SSL or SASL_PLAINTEXT does)");
        }
        if (!protocol.tls && (truststore.isPresent() || keystore.isPresent())) {
            throw new IllegalArgumentException("mxgate.kafka.ssl-truststore-location or ssl-keystore-location is set but "
                    + "mxgate.kafka.security-protocol " + protocol + " does not use TLS (SSL or SASL_SSL does)");
        }
        truststore.ifPresent(t -> {
            if (t.type == StoreType.PEM && t.password.isPresent()) {
                throw new IllegalArgumentException("mxgate.kafka.ssl-truststore-password is set but a PEM truststore "
                        + "has no password (Kafka refuses one)");
            }
        });
    }

    /** Kafka's {@code security.protocol}. */
    public enum Protocol {
        PLAINTEXT(false, false), SSL(true, false), SASL_PLAINTEXT(false, true), SASL_SSL(true, true);

        private final boolean tls;
        private final boolean sasl;

        Protocol(boolean tls, boolean sasl) {
            this.tls = tls;
            this.sasl = sasl;
        }

        public static Protocol parse(String text) {
            try {
                return valueOf(text.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("mxgate.kafka.security-protocol: unknown \"" + text
                        + "\"; PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL");
            }
        }
    }

    /** The SASL mechanisms a user name and password can log in with, and the JAAS login module of each. */
    public enum Mechanism {
        PLAIN("PLAIN", "org.apache.kafka.common.security.plain.PlainLoginModule"),
        SCRAM_SHA_256("SCRAM-SHA-256", Mechanism.SCRAM),
        SCRAM_SHA_512("SCRAM-SHA-512", Mechanism.SCRAM);

        private static final String SCRAM = "org.apache.kafka.common.security.scram.ScramLoginModule";

        private final String kafkaName;
        private final String loginModule;

        Mechanism(String kafkaName, String loginModule) {
            this.kafkaName = kafkaName;
            this.loginModule = loginModule;
        }

        public static Mechanism parse(String text) {
            for (Mechanism m : values()) {
                if (m.kafkaName.equalsIgnoreCase(text.trim())) {
                    return m;
                }
            }
            throw new IllegalArgumentException("mxgate.kafka.sasl-mechanism: unknown \"" + text
                    + "\"; PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512");
        }

        @Override
        public String toString() {
            return kafkaName;
        }
    }

    /** Who the client logs in as. */
    public sealed interface Credentials {
    }

    /** A user name and password, put into the mechanism's JAAS line. */
    public record Login(String username, String password) implements Credentials {
        @Override
        public String toString() {
            return "Login[username=" + username + ", password=(hidden)]";
        }
    }

    /**
     * A whole JAAS line, as the {@code sasl.jaas.config} key of a Strimzi KafkaUser Secret has it; taken as it is,
     * so it may name another login module than the mechanism's.
     */
    public record JaasLine(String line) implements Credentials {
        @Override
        public String toString() {
            return "JaasLine[(hidden)]";
        }
    }

    public record Sasl(Mechanism mechanism, Credentials credentials) {

        /**
         * The SASL settings, empty when none is given. A JAAS line wins over a user name and password given beside
         * it; half of a login, or credentials without a mechanism (or the reverse), are refused.
         */
        public static Optional<Sasl> of(Optional<String> mechanism, Optional<String> username,
                                        Optional<String> password, Optional<String> jaasConfig) {
            if (mechanism.isEmpty() && username.isEmpty() && password.isEmpty() && jaasConfig.isEmpty()) {
                return Optional.empty();
            }
            if (mechanism.isEmpty()) {
                throw new IllegalArgumentException("mxgate.kafka.sasl-username, -password or -jaas-config is set "
                        + "without mxgate.kafka.sasl-mechanism (PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512)");
            }
            Mechanism m = Mechanism.parse(mechanism.get());
            if (jaasConfig.isPresent()) {
                return Optional.of(new Sasl(m, new JaasLine(jaasConfig.get())));
            }
            if (username.isEmpty() || password.isEmpty()) {
                throw new IllegalArgumentException("mxgate.kafka.sasl-mechanism " + m + " needs both "
                        + "mxgate.kafka.sasl-username and mxgate.kafka.sasl-password, or mxgate.kafka.sasl-jaas-config"
                        + " (username " + (username.isPresent() ? "set" : "missing") + ", password "
                        + (password.isPresent() ? "set" : "missing") + ")");
            }
            return Optional.of(new Sasl(m, new Login(username.get(), password.get())));
        }

        /** Kafka's {@code sasl.jaas.config}. */
        String jaasConfig() {
            if (credentials instanceof JaasLine j) {
                return j.line();
            }
            Login l = (Login) credentials;
            return mechanism.loginModule + " required username=\"" + quoted(l.username()) + "\" password=\""
                    + quoted(l.password()) + "\";";
        }

        /** Kafka reads JAAS values with a StreamTokenizer: a backslash escapes the next character in quotes. */
        private static String quoted(String value) {
            return value.replace("\\", "\\\\").replace("\"", "\\\"");
        }
    }

    /** Kafka's store types: PEM (a file of certificates, and for a keystore its key), PKCS12 and JKS. */
    public enum StoreType {
        PEM, PKCS12, JKS;

        static StoreType parse(String what, String text) {
            try {
                return valueOf(text.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(what + "-type: unknown \"" + text + "\"; PEM, PKCS12 or JKS");
            }
        }
    }

    /** A truststore or keystore file. For a PEM keystore the password is the private key's. */
    public record Store(String location, StoreType type, Optional<String> password) {

        /**
         * The store named by {@code <what>-location}, {@code -type} and {@code -password}; empty without a location
         * (a password without one is refused, it would be silently unused).
         */
        public static Optional<Store> of(String what, Optional<String> location, String type,
                                         Optional<String> password) {
            if (location.isEmpty()) {
                if (password.isPresent()) {
                    throw new IllegalArgumentException(what + "-password is set without " + what + "-location");
                }
                return Optional.empty();
            }
            return Optional.of(new Store(location.get(), StoreType.parse(what, type), password));
        }

        @Override
        public String toString() {
            return "Store[location=" + location + ", type=" + type + ", password="
                    + (password.isPresent() ? "(hidden)" : "(none)") + "]";
        }
    }

    /**
     * {@code mxgate.kafka.ssl-endpoint-identification-algorithm}: {@code https} checks the broker's host name
     * against its certificate (Kafka's default); {@code none} turns the check off.
     */
    public static boolean checkHostname(String algorithm) {
        return switch (algorithm.trim().toLowerCase(Locale.ROOT)) {
            case "https" -> true;
            case "none" -> false;
            default -> throw new IllegalArgumentException("mxgate.kafka.ssl-endpoint-identification-algorithm: unknown \""
                    + algorithm + "\"; https, or none to turn host name checking off");
        };
    }

    /** The Kafka client properties of these settings, for every admin client, producer and consumer. */
    public Map<String, Object> clientProperties() {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("security.protocol", protocol.name());
        sasl.ifPresent(s -> {
            props.put("sasl.mechanism", s.mechanism.kafkaName);
            props.put("sasl.jaas.config", s.jaasConfig());
        });
        if (protocol.tls) {
            props.put("ssl.endpoint.identification.algorithm", checkHostname ? "https" : "");
        }
        truststore.ifPresent(t -> {
            props.put("ssl.truststore.location", t.location);
            props.put("ssl.truststore.type", t.type.name());
            t.password.ifPresent(p -> props.put("ssl.truststore.password", p));
        });
        keystore.ifPresent(k -> {
            props.put("ssl.keystore.location", k.location);
            props.put("ssl.keystore.type", k.type.name());
            // Kafka takes a PEM file's key password as ssl.key.password and refuses ssl.keystore.password for it
            k.password.ifPresent(p -> props.put(k.type == StoreType.PEM ? "ssl.key.password" : "ssl.keystore.password", p));
        });
        return props;
    }
}

package io.mxgate.core.kafka;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * mxgate.kafka.security-protocol, sasl-* and ssl-* into Kafka client properties, and the combinations refused at
 * start. Columns: protocol | mechanism | username | password | jaas | truststore location:type:password |
 * keystore location:type:password | endpoint algorithm | expected properties (k=v;...) or "refused: <text>".
 * An empty column is an unset setting; store columns give the type explicitly (config's defaults are PEM and PKCS12).
 */
class KafkaSecurityTest {

    private static final String SCRAM = "org.apache.kafka.common.security.scram.ScramLoginModule";
    private static final String PLAIN = "org.apache.kafka.common.security.plain.PlainLoginModule";

    @ParameterizedTest(name = "{0} {1} {8}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
            // the default: nothing but the protocol
            "PLAINTEXT      |               |       |        |      |                    |                         | https | security.protocol=PLAINTEXT",
            // TLS only, the JVM's CAs; host name checking on by default, off with none
            "SSL            |               |       |        |      |                    |                         | https | security.protocol=SSL;ssl.endpoint.identification.algorithm=https",
            "ssl            |               |       |        |      |                    |                         | none  | security.protocol=SSL;ssl.endpoint.identification.algorithm=",
            // Strimzi SCRAM user over TLS with the cluster CA's ca.crt
            "SASL_SSL       | SCRAM-SHA-512 | alice | s3cret |      | /ca/ca.crt:PEM:    |                         | https | security.protocol=SASL_SSL;sasl.mechanism=SCRAM-SHA-512;sasl.jaas.config=" + SCRAM + " required username=\"alice\" password=\"s3cret\";;ssl.endpoint.identification.algorithm=https;ssl.truststore.location=/ca/ca.crt;ssl.truststore.type=PEM",
            // the same with the CA's ca.p12 and ca.password
            "SASL_SSL       | scram-sha-256 | alice | s3cret |      | /ca/ca.p12:PKCS12:pw |                       | https | security.protocol=SASL_SSL;sasl.mechanism=SCRAM-SHA-256;sasl.jaas.config=" + SCRAM + " required username=\"alice\" password=\"s3cret\";;ssl.endpoint.identification.algorithm=https;ssl.truststore.location=/ca/ca.p12;ssl.truststore.type=PKCS12;ssl.truststore.password=pw",
            // PLAIN without TLS; quotes and backslashes in a password are escaped for Kafka's JAAS parser
            "SASL_PLAINTEXT | PLAIN         | bob   | a\"b\\c |      |                    |                         | https | security.protocol=SASL_PLAINTEXT;sasl.mechanism=PLAIN;sasl.jaas.config=" + PLAIN + " required username=\"bob\" password=\"a\\\"b\\\\c\";",
            // the whole JAAS line (Strimzi's sasl.jaas.config key) wins over user name and password
            "SASL_SSL       | SCRAM-SHA-512 | alice | wrong  | " + SCRAM + " required username=\"u\" password=\"p\"; | | | https | security.protocol=SASL_SSL;sasl.mechanism=SCRAM-SHA-512;sasl.jaas.config=" + SCRAM + " required username=\"u\" password=\"p\";;ssl.endpoint.identification.algorithm=https",
            // mutual TLS with a Strimzi TLS user's user.p12
            "SSL            |               |       |        |      | /ca/ca.crt:PEM:    | /u/user.p12:PKCS12:upw  | https | security.protocol=SSL;ssl.endpoint.identification.algorithm=https;ssl.truststore.location=/ca/ca.crt;ssl.truststore.type=PEM;ssl.keystore.location=/u/user.p12;ssl.keystore.type=PKCS12;ssl.keystore.password=upw",
            // a PEM keystore's password is its key's
            "SSL            |               |       |        |      |                    | /u/user.pem:PEM:kpw     | https | security.protocol=SSL;ssl.endpoint.identification.algorithm=https;ssl.keystore.location=/u/user.pem;ssl.keystore.type=PEM;ssl.key.password=kpw",
            // refused: what would connect otherwise than written
            "SASL_SSL       |               |       |        |      |                    |                         | https | refused: mxgate.kafka.security-protocol SASL_SSL needs mxgate.kafka.sasl-mechanism",
            "SASL_SSL       | SCRAM-SHA-512 | alice |        |      |                    |                         | https | refused: needs both mxgate.kafka.sasl-username and mxgate.kafka.sasl-password",
            "SASL_SSL       | SCRAM-SHA-512 |       | s3cret |      |                    |                         | https | refused: (username missing, password set)",
            "SASL_SSL       |               | alice | s3cret |      |                    |                         | https | refused: without mxgate.kafka.sasl-mechanism",
            "SASL_SSL       | GSSAPI        | alice | s3cret |      |                    |                         | https | refused: mxgate.kafka.sasl-mechanism: unknown \"GSSAPI\"",
            "PLAINTEXT      | SCRAM-SHA-512 | alice | s3cret |      |                    |                         | https | refused: does not use SASL",
            "SASL_PLAINTEXT | SCRAM-SHA-512 | alice | s3cret |      | /ca/ca.crt:PEM:    |                         | https | refused: does not use TLS",
            "SSL            |               |       |        |      | /ca/ca.crt:PEM:pw  |                         | https | refused: a PEM truststore has no password",
            "SSL            |               |       |        |      | /ca/ca.crt:DER:    |                         | https | refused: mxgate.kafka.ssl-truststore-type: unknown \"DER\"",
            "SSL            |               |       |        |      |                    |                         | off   | refused: ssl-endpoint-identification-algorithm: unknown \"off\"",
            "TLS            |               |       |        |      |                    |                         | https | refused: mxgate.kafka.security-protocol: unknown \"TLS\"",
    })
    void settingsBecomeClientProperties(String protocol, String mechanism, String username, String password,
                                        String jaas, String truststore, String keystore, String algorithm,
                                        String expected) {
        if (expected.startsWith("refused: ")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> security(protocol,
                    mechanism, username, password, jaas, truststore, keystore, algorithm));
            assertTrue(e.getMessage().contains(expected.substring("refused: ".length())), e.getMessage());
            assertFalse(password != null && e.getMessage().contains(password), "the password in " + e.getMessage());
            return;
        }
        KafkaSecurity security = security(protocol, mechanism, username, password, jaas, truststore, keystore,
                algorithm);
        Map<String, String> want = new TreeMap<>();
        for (String kv : expected.split(";(?=[a-z.]+=)")) {
            int eq = kv.indexOf('=');
            want.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        Map<String, String> got = new TreeMap<>();
        security.clientProperties().forEach((k, v) -> got.put(k, v.toString()));
        assertEquals(want, got);
        for (String secret : new String[] {password, jaas}) {
            assertTrue(secret == null || !security.toString().contains(secret), security.toString());
        }
        for (String store : new String[] {truststore, keystore}) {
            assertTrue(store == null || store.endsWith(":") || !security.toString().contains(":" + store.split(":")[2]),
                    security.toString());
        }
    }

    private static KafkaSecurity security(String protocol, String mechanism, String username, String password,
                                          String jaas, String truststore, String keystore, String algorithm) {
        return new KafkaSecurity(KafkaSecurity.Protocol.parse(protocol),
                KafkaSecurity.Sasl.of(opt(mechanism), opt(username), opt(password), opt(jaas)),
                store("mxgate.kafka.ssl-truststore", truststore), store("mxgate.kafka.ssl-keystore", keystore),
                KafkaSecurity.checkHostname(algorithm));
    }

    private static Optional<KafkaSecurity.Store> store(String what, String spec) {
        if (spec == null) {
            return KafkaSecurity.Store.of(what, Optional.empty(), "PEM", Optional.empty());
        }
        String[] p = Arrays.copyOf(spec.split(":", -1), 3);
        return KafkaSecurity.Store.of(what, Optional.of(p[0]), p[1], opt(p[2]));
    }

    private static Optional<String> opt(String s) {
        return s == null || s.isEmpty() ? Optional.empty() : Optional.of(s);
    }
}

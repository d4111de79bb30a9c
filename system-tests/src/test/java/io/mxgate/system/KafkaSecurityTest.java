package io.mxgate.system;

import io.mxgate.testkit.Ports;
import io.mxgate.testkit.SmtpDialogue;
import io.mxgate.testkit.Stack;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.ConnectException;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The services on a Kafka that only accepts SASL_SSL (SCRAM-SHA-512, TLS with a test CA; dev/kafka-security.sh and
 * KAFKA_SECURITY_DIR of dev/kafka.sh), as a managed cluster such as Strimzi's wants: smtp-ingress, queue-worker and
 * lmtp-delivery log in with mxgate.kafka.security-protocol, sasl-* and ssl-truststore-location (lmtp-delivery with
 * a whole JAAS line, as a Strimzi KafkaUser Secret's sasl.jaas.config has it, beside a password it must not use);
 * the verifier has no Kafka client. Mail from a stranger reaches Dovecot; a service with the wrong password, or a
 * truststore without the cluster's CA, refuses to start with a fatal line and never answers.
 */
class KafkaSecurityTest {

    private static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
            + Stack.KAFKA_USER + "\" password=\"" + Stack.KAFKA_PASSWORD + "\";";

    private static Stack stack;

    @BeforeAll
    static void start() {
        stack = Stack.startSaslSsl(
                // 127.0.0.1 outside mynetworks: the test's client is a stranger, as on the Internet
                Map.of("MXGATE_MYNETWORKS", "192.0.2.0/24"),
                Map.of("lmtp-delivery", Map.of("MXGATE_KAFKA_SASL_JAAS_CONFIG", JAAS,
                        "MXGATE_KAFKA_SASL_PASSWORD", "not-this-one")));
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void brokerRefusesAPlaintextClient() {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.setting("MXGATE_KAFKA_BOOTSTRAP_SERVERS"),
                "request.timeout.ms", "3000", "default.api.timeout.ms", "5000"))) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> admin.describeCluster().nodes().get(10, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException, e.toString());
        }
    }

    @Test
    void mailFromAStrangerReachesTheMailboxThroughSaslSsl() {
        String tag = UUID.randomUUID().toString();
        String reply = SmtpDialogue.sendMail(stack.smtpPort(), "sender@remote.test", List.of("alice@example.test"),
                "Subject: " + tag + "\r\n\r\nover SASL_SSL\r\n");
        assertTrue(SmtpDialogueTest.QUEUED.matcher(reply).matches(), reply);
        assertTrue(Stack.await(Duration.ofSeconds(15), () -> stack.messagesContaining("alice", tag).size() == 1),
                "delivered to alice's Maildir through the SASL_SSL cluster");
        String queueId = reply.substring(reply.lastIndexOf(' ') + 1);
        assertTrue(Stack.await(Duration.ofSeconds(5), () -> stack.log("lmtp-delivery")
                .contains(queueId + ": to=<alice@example.test>")), stack.log("lmtp-delivery"));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
            "smtp-ingress  | wrong password           | MXGATE_KAFKA_SASL_PASSWORD           | wrong-kafka-password-7f3a",
            "queue-worker  | wrong password           | MXGATE_KAFKA_SASL_PASSWORD           | wrong-kafka-password-7f3a",
            "lmtp-delivery | CA that did not sign it  | MXGATE_KAFKA_SSL_TRUSTSTORE_LOCATION | tls/cert.pem",
    })
    void serviceThatCannotLogInNeverGetsReady(String service, String label, String key, String value) {
        int smtp = Ports.free();
        String name = "bad-" + service;
        Map<String, String> env = Map.of(key, key.endsWith("LOCATION") ? stack.dir().resolve(value).toString() : value,
                "MXGATE_SMTPD_PORT", Integer.toString(smtp), "MXGATE_SMTPD_PROXY_PORT", Integer.toString(Ports.free()),
                "MXGATE_KAFKA_GROUP_ID", name);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> stack.startReplica(service, name, env));
        assertTrue(e.getMessage().contains("did not become ready"), e.getMessage());
        String log = stack.log(new Stack.Replica(service, name, 0));
        String line = log.lines().filter(l -> l.contains("fatal: Kafka refused this service's login or TLS handshake"))
                .findFirst().orElseThrow(() -> new AssertionError("no fatal line in the log:\n" + log));
        assertTrue(line.contains(key.endsWith("LOCATION") ? "SslAuthenticationException" : "SaslAuthenticationException"),
                line);
        assertTrue(line.endsWith("refusing to start"), line);
        assertFalse(log.contains("wrong-kafka-password-7f3a") || log.contains(Stack.KAFKA_PASSWORD),
                "a password in the log");
        assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", smtp).close(), "nothing answers on SMTP");
    }
}

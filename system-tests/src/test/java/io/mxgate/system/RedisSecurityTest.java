package io.mxgate.system;

import io.mxgate.testkit.Ports;
import io.mxgate.testkit.Sink;
import io.mxgate.testkit.SmtpDialogue;
import io.mxgate.testkit.Stack;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 17: the verify cache and the queue index on a Redis that speaks TLS only (its certificate from a test CA,
 * checked with host name verification) and lets in only the ACL user {@code mxgate} with its password
 * (mxgate.redis-url {@code rediss://...?user=mxgate}, mxgate.redis-password, mxgate.redis-tls-ca-file). One stack for
 * the class; the last test changes the password under the running services. A verifier that reaches the same Redis
 * under a name its certificate does not carry never gets ready (60 s, dev/service.sh's wait).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisSecurityTest {

    private static final String PASSWORD = "redis-" + UUID.randomUUID();
    /** In mynetworks, so it may relay to down.test; 127.0.0.1, the default source address, is a stranger. */
    private static final String TRUSTED = "127.0.0.77";

    private static Path dir;
    private static Sink down;
    private static Stack stack;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory(Path.of("/tmp"), "mxgate-redissec-");
        down = Sink.stopped(dir.resolve("down"), "127.0.0.1", Ports.free());
        Files.writeString(dir.resolve("transport"), "down.test   relay:" + down.nextHop() + "\n");
        Map<String, String> settings = new HashMap<>(Stack.secureRedis(PASSWORD));
        settings.putAll(Map.of(
                "MXGATE_MYNETWORKS", TRUSTED + "/32",
                "MXGATE_TRANSPORT_MAPS", "hash:" + dir.resolve("transport"),
                "MXGATE_MINIMAL_BACKOFF_TIME", "1s",
                "MXGATE_MAXIMAL_BACKOFF_TIME", "2s",
                "MXGATE_QUEUE_RUN_DELAY", "1s"));
        stack = Stack.start(settings);
    }

    @AfterAll
    static void stop() {
        try (Sink s = down) {
            if (stack != null) {
                stack.close();
            }
        } finally {
            QueueTool.delete(dir);
        }
    }

    @Test
    @Order(1)
    void theRedisLetsNobodyInWithoutTlsAndThePassword() {
        assertEquals("+PONG", stack.redis("PING"), "the test's own client: TLS, AUTH mxgate");
        assertTrue(stack.setting("MXGATE_REDIS_URL").startsWith("rediss://127.0.0.1:"));
    }

    @Test
    @Order(2)
    void aStrangersNewRecipientIsVerifiedAndCached() {
        String user = "new" + UUID.randomUUID().toString().substring(0, 8);
        stack.addMailboxes(user);
        String address = user + "@example.test";
        String first = VerificationTest.rcpt(stack.smtpPort(), address);
        // a probe longer than the verifier's wait budget answers "in progress" first; a problem talking to Redis
        // over TLS would be "address verification problem"
        assertTrue(first.equals("250 2.1.5 Ok") || first.endsWith("Address verification in progress"), first);
        assertTrue(Stack.await(Duration.ofSeconds(30),
                        () -> "250 2.1.5 Ok".equals(VerificationTest.rcpt(stack.smtpPort(), address))),
                first + "\n" + stack.log("smtp-ingress") + "\n" + stack.log("verifier"));
        assertEquals(":1", stack.redis("EXISTS", "mxgate:verify:" + address), "the verify cache entry is in Redis");
    }

    @Test
    @Order(3)
    void relayMailIsDeferredListedAndDeliveredAfterAFlush() {
        // the relay path is the trusted client's only: a stranger is refused it, as Postfix refuses it
        assertEquals("554 5.7.1 <b@down.test>: Relay access denied",
                VerificationTest.rcpt(stack.smtpPort(), "b@down.test"));
        String tag = UUID.randomUUID().toString();
        String queueId;
        try (SmtpDialogue d = SmtpDialogue.open(stack.smtpPort(), TRUSTED)) {
            d.send("EHLO client.test").expect("250 *");
            d.send("MAIL FROM:<s@remote.test>").expect("250 2.1.0 Ok");
            d.send("RCPT TO:<b@down.test>").expect("250 2.1.5 Ok");
            d.send("DATA").expect("354 *");
            queueId = QueueTool.queueId(d.raw("Subject: " + tag + "\r\n\r\nwaits for its server\r\n").send(".")
                    .expect("250 2.0.0 Ok: queued as *"));
        }
        assertTrue(Stack.await(Duration.ofSeconds(30), () -> QueueTool.json(stack).contains("b@down.test")
                        && QueueTool.json(stack).contains("Connection refused")),
                "deferred in the Redis index: " + QueueTool.json(stack) + "\n" + stack.log("queue-worker"));
        String list = QueueTool.cli(stack, "list");
        assertTrue(list.contains(queueId) && list.contains("b@down.test"), list);

        down.start();
        QueueTool.cli(stack, "flush");
        assertTrue(Stack.await(Duration.ofSeconds(30), () -> down.messagesContaining(tag).size() == 1),
                "delivered after the flush\n" + stack.log("queue-worker"));
        assertTrue(Stack.await(Duration.ofSeconds(20), () -> QueueTool.messages(stack) == 0), QueueTool.json(stack));
    }

    /** Commands to the stack's Redis in one redis-cli session, over TLS and as the ACL user mxgate: its output. */
    private static String redisCli(String... commands) {
        String port = stack.setting("MXGATE_REDIS_URL").replaceAll("^rediss://127\\.0\\.0\\.1:([0-9]+).*$", "$1");
        ProcessBuilder pb = new ProcessBuilder("redis-cli", "-h", "127.0.0.1", "-p", port, "--tls", "--cacert",
                stack.setting("MXGATE_REDIS_TLS_CA_FILE"), "--user", "mxgate").redirectErrorStream(true);
        pb.environment().put("REDISCLI_AUTH", PASSWORD);
        try {
            Process p = pb.start();
            p.getOutputStream().write((String.join("\n", commands) + "\n").getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(10, TimeUnit.SECONDS), "redis-cli hangs");
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Test
    @Order(4)
    void aCertificateThatDoesNotNameTheHostIsRefused() {
        // the same server as "localhost": its certificate names only 127.0.0.1 (dev/redis-tls.sh)
        String url = stack.setting("MXGATE_REDIS_URL").replace("rediss://127.0.0.1:", "rediss://localhost:");
        Stack.Replica replica = new Stack.Replica("verifier", "verifier-localhost", 0);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> stack.startReplica("verifier", replica.name(), Map.of("MXGATE_REDIS_URL", url)));
        assertTrue(e.getMessage().contains("did not become ready"), e.getMessage());
        assertTrue(stack.log(replica).contains("SSLHandshakeException"), stack.log(replica));
        assertFalse(stack.log(replica).contains("WRONGPASS"), "refused before AUTH: " + stack.log(replica));
    }

    @Test
    @Order(5)
    void aVerifierWithAWrongPasswordIsNotReadyAndTheIngressDefers() {
        // the password changes under the running services (a rotation they were not told of): every connection
        // they open from now on is refused, so the verifier has the wrong password
        // one session, since the old password no longer opens a new one once it is changed
        String out = redisCli("ACL SETUSER mxgate resetpass >rotated-" + PASSWORD, "CLIENT KILL USER mxgate");
        assertTrue(out.startsWith("OK\n"), out);
        assertTrue(Stack.await(Duration.ofSeconds(20), () -> {
            String ready = QueueTool.get(stack, "verifier", "/q/health/ready");
            return ready.contains("\"status\": \"DOWN\"") && ready.contains("WRONGPASS");
        }), QueueTool.get(stack, "verifier", "/q/health/ready"));
        String user = "late" + UUID.randomUUID().toString().substring(0, 8);
        stack.addMailboxes(user);
        assertEquals("450 4.1.1 <" + user + "@example.test>: Recipient address rejected: address verification problem",
                VerificationTest.rcpt(stack.smtpPort(), user + "@example.test"), stack.log("verifier"));
    }
}

package io.mxgate.system;

import io.mxgate.testkit.Ports;
import io.mxgate.testkit.Sink;
import io.mxgate.testkit.Stack;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 6, acceptance 2: the store-and-forward backup MX. backup.test is a relay domain that transport_maps sends to
 * {@code relay:[primary]}; recipients are verified at the primary (the verifier probes along the same route), so a
 * verified recipient's mail is accepted while the primary is down, waits deferred with the reason, and is delivered
 * exactly once by {@code ./mxgate queue flush} when the primary is back. Retries are Postfix's defaults (300 s
 * and more), so nothing but the flush can deliver within the test.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BackupMxTest {

    private static Path dir;
    private static Sink primary;
    private static Stack stack;

    @BeforeAll
    static void start() throws IOException {
        dir = Files.createTempDirectory(Path.of("/tmp"), "mxgate-backup-");
        primary = Sink.start(dir.resolve("primary"), "127.0.0.1", Ports.free());
        Files.writeString(dir.resolve("transport"), "backup.test   relay:" + primary.nextHop() + "\n");
        stack = Stack.start(Map.of(
                "MXGATE_RELAY_DOMAINS", "backup.test",
                "MXGATE_TRANSPORT_MAPS", "hash:" + dir.resolve("transport"),
                "MXGATE_SMTP_CONNECT_TIMEOUT", "5s"));
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
        if (primary != null) {
            primary.close();
        }
        QueueTool.delete(dir);
    }

    private static String metrics() {
        return QueueTool.get(stack, "queue-worker", "/q/metrics");
    }

    @Test
    @Order(1)
    void acceptedWhilePrimaryIsDownListedWithReasonAndDeliveredOnceByFlush() {
        // Verified at the primary while it is up (the verifier probes relay:[primary]).
        assertEquals("250 2.1.5 Ok", VerificationTest.rcpt(stack.smtpPort(), "u@backup.test"));
        RelayRoutingTest.assertLogged(stack, "verifier", "to=<u@backup.test>, relay=127.0.0.1[127.0.0.1]:"
                + primary.port() + ", delay=");
        assertTrue(stack.log("verifier").contains("status=deliverable"), stack.log("verifier"));

        primary.stop();
        String tag = UUID.randomUUID().toString();
        long t0 = System.nanoTime();
        for (int i = 0; i < 100; i++) {
            RelayRoutingTest.send(stack, "s@remote.test", "u@backup.test", tag + "-" + i);
        }
        long accepted = System.nanoTime() - t0;
        assertTrue(Stack.await(Duration.ofSeconds(60), () -> {
            String q = QueueTool.json(stack);
            return QueueTool.count(q, "\"state\":\"deferred\"") == 100 && QueueTool.count(q, "Connection refused") == 100;
        }), QueueTool.json(stack));
        assertTrue(Stack.await(Duration.ofSeconds(20), () -> metrics().contains(
                "mxgate_queue_entries{state=\"deferred\"} 100.0")), metrics());
        assertTrue(metrics().contains("mxgate_queue_oldest_age_seconds "), metrics());
        String list = QueueTool.cli(stack, "list");
        assertTrue(list.contains("-- ") && list.contains(" in 100 Requests."), list);
        assertEquals(100, QueueTool.count(list, "u@backup.test"), list);
        assertTrue(list.contains("(connect to 127.0.0.1[127.0.0.1]:" + primary.port() + ": Connection refused)")
                || list.contains("(delivery temporarily suspended: connect to"), list);

        primary.start();
        long t1 = System.nanoTime();
        assertTrue(QueueTool.cli(stack, "flush").contains("\"flushed\":100"));
        assertTrue(Stack.await(Duration.ofSeconds(60), () -> primary.messagesContaining(tag).size() == 100),
                "delivered: " + primary.messagesContaining(tag).size());
        System.out.printf("backup MX: 100 messages accepted in %d ms with the primary down; "
                + "flush to 100 delivered: %d ms%n", accepted / 1_000_000, (System.nanoTime() - t1) / 1_000_000);
        assertTrue(Stack.await(Duration.ofSeconds(10), () -> QueueTool.cli(stack, "list").contains("Mail queue is empty")));
        for (int i = 0; i < 100; i++) {
            assertEquals(1, primary.deliveries("u@backup.test", "Subject: " + tag + "-" + i + "\n"),
                    "message " + i + " delivered exactly once");
        }
        assertEquals(100, primary.messagesContaining(tag).size(), "none twice");
    }

    @Test
    @Order(2)
    void heldMessagesWaitDeletedOnesAreGoneOneCanBeFlushedAlone() {
        primary.stop();
        String held = UUID.randomUUID().toString();
        String deleted = UUID.randomUUID().toString();
        String single = UUID.randomUUID().toString();
        String heldId = QueueTool.queueId(RelayRoutingTest.send(stack, "s@remote.test", "u@backup.test", held));
        String deletedId = QueueTool.queueId(RelayRoutingTest.send(stack, "s@remote.test", "u@backup.test", deleted));
        String singleId = QueueTool.queueId(RelayRoutingTest.send(stack, "s@remote.test", "u@backup.test", single));
        assertTrue(Stack.await(Duration.ofSeconds(30), () -> QueueTool.count(QueueTool.json(stack),
                "\"state\":\"deferred\"") == 3), QueueTool.json(stack));

        assertTrue(QueueTool.cli(stack, "hold", heldId).contains("\"changed\":1"));
        assertTrue(QueueTool.cli(stack, "list").contains(heldId + "!"), QueueTool.cli(stack, "list"));
        assertTrue(QueueTool.cli(stack, "delete", deletedId).contains("\"removed\":true"));
        RelayRoutingTest.assertLogged(stack, "queue-worker", deletedId + ": removed");

        primary.start();
        assertTrue(QueueTool.cli(stack, "flush", singleId).contains("\"changed\":1"));
        assertTrue(Stack.await(Duration.ofSeconds(30), () -> primary.messagesContaining(single).size() == 1));
        assertTrue(primary.messagesContaining(held).isEmpty(), "held mail waits");
        assertTrue(QueueTool.cli(stack, "list").contains(heldId + "!"), "a flush leaves held mail alone");
        assertTrue(QueueTool.cli(stack, "release", heldId).contains("\"changed\":1"));
        assertTrue(Stack.await(Duration.ofSeconds(30), () -> primary.messagesContaining(held).size() == 1));
        assertTrue(Stack.await(Duration.ofSeconds(10), () -> QueueTool.cli(stack, "list").contains("Mail queue is empty")));
        assertTrue(primary.messagesContaining(deleted).isEmpty(), "deleted mail is never delivered");
    }
}

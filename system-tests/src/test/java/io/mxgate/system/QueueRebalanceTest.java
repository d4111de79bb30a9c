package io.mxgate.system;

import io.mxgate.testkit.Ports;
import io.mxgate.testkit.Sink;
import io.mxgate.testkit.SmtpDialogue;
import io.mxgate.testkit.Stack;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RemoveMembersFromConsumerGroupOptions;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 17, finding 4: rebalances while queue-worker commits (an HPA scale-up and down) must not stop its intake.
 * Relay mail flows without a pause while a consumer joins queue-worker's group, takes partitions and leaves again,
 * as a replica that starts and is scaled away does. A join alone refuses no commit (the coordinator accepts commits
 * of the current generation while it prepares a rebalance, the first run of this test showed it), so in the middle
 * every member is removed from the group, as the coordinator drops a member that did not rejoin within
 * {@code max.poll.interval.ms}: queue-worker commits after every message, so its next commit is refused
 * ({@code CommitFailedException}; the log line proves it, or the round is repeated), which ended the intake before.
 * Afterwards the one queue-worker owns every partition again and must deliver every message, each exactly once
 * (what it had recorded before the refused commit is read again and found in the queue index), and stay live.
 */
class QueueRebalanceTest {

    private static final int ROUNDS = 5;
    private static final String REFUSED = "offsets not committed";

    @Test
    void commitsRefusedInARebalanceLoseNothing() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "mxgate-rebalance-");
        try (AutoCloseable cleanup = () -> QueueTool.delete(dir);
             Sink relay = Sink.start(dir.resolve("relay"), "127.0.0.1", Ports.free())) {
            Files.writeString(dir.resolve("transport"), "relay.test  relay:" + relay.nextHop() + "\n");
            try (Stack stack = Stack.start(Map.of(
                    "MXGATE_MYNETWORKS", "127.0.0.0/8",
                    "MXGATE_TRANSPORT_MAPS", "hash:" + dir.resolve("transport")))) {
                String tag = UUID.randomUUID().toString();
                AtomicInteger sent = new AtomicInteger();
                AtomicBoolean flowing = new AtomicBoolean(true);
                ConcurrentLinkedQueue<String> refused = new ConcurrentLinkedQueue<>();
                Thread sender = new Thread(() -> {
                    while (flowing.get()) {
                        send(stack, tag, sent, refused);
                    }
                }, "sender");
                sender.start();
                try {
                    assertTrue(Stack.await(Duration.ofSeconds(30), () -> !relay.messagesContaining(tag).isEmpty()),
                            "relay mail flows before the rebalance");
                    int rounds = 0;
                    while (rounds < ROUNDS && !commitRefused(stack)) {
                        rounds++;
                        joinAndLeave(stack);
                    }
                    System.out.printf("rebalance: %d round(s) of join and leave, %d messages sent meanwhile%n",
                            rounds, sent.get());
                } finally {
                    flowing.set(false);
                    sender.join();
                }
                for (int i = 0; i < 5; i++) {  // and a few after the last rebalance
                    send(stack, tag, sent, refused);
                }
                assertTrue(refused.isEmpty(), "answers other than 250: " + refused);
                int total = sent.get();
                assertTrue(Stack.await(Duration.ofSeconds(90), () -> relay.messagesContaining(tag).size() >= total),
                        "delivered " + relay.messagesContaining(tag).size() + " of " + total + ":\n"
                                + stack.log("queue-worker"));
                Thread.sleep(2000);
                for (int i = 0; i < total; i++) {
                    assertEquals(1, relay.deliveries("r@relay.test", "Subject: " + tag + "-" + i + "\n"),
                            "message " + i + " delivered once");
                }
                assertTrue(commitRefused(stack), "no commit of queue-worker's was refused by a rebalance in "
                        + ROUNDS + " rounds, so this test proved nothing:\n" + stack.log("queue-worker"));
                String live = OutageTest.get(stack.httpPort("queue-worker"), "/q/health/live");
                assertTrue(live.contains("\"status\": \"UP\"") && live.contains("intake"), live);
            }
        }
    }

    private static void send(Stack stack, String tag, AtomicInteger sent, ConcurrentLinkedQueue<String> refused) {
        int n = sent.get();
        String reply = SmtpDialogue.sendMail(stack.smtpPort(), "s@remote.test", List.of("r@relay.test"),
                "Subject: " + tag + "-" + n + "\r\n\r\nhello\r\n");
        if (SmtpDialogueTest.QUEUED.matcher(reply).matches()) {
            sent.incrementAndGet();
        } else {
            refused.add(reply);
        }
    }

    private static boolean commitRefused(Stack stack) {
        return stack.log("queue-worker").contains(REFUSED);
    }

    /**
     * A member joins queue-worker's group (without committing anything), every member is removed from the group,
     * the new one rejoins, holds its share of the partitions for a while, and leaves.
     */
    private static void joinAndLeave(Stack stack) {
        Map<String, Object> props = Map.of("bootstrap.servers", stack.setting("MXGATE_KAFKA_BOOTSTRAP_SERVERS"),
                "group.id", "mxgate-queue-worker", "enable.auto.commit", "false", "client.id", "rebalance-test");
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            c.subscribe(List.of("mxgate.incoming"));
            long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (c.assignment().isEmpty() && System.nanoTime() < end) {
                c.poll(Duration.ofMillis(100));
            }
            assertTrue(!c.assignment().isEmpty(), "the extra member got partitions");
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", props.get("bootstrap.servers")))) {
                admin.removeMembersFromConsumerGroup("mxgate-queue-worker", new RemoveMembersFromConsumerGroupOptions())
                        .all().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("cannot remove the group's members", e);
            }
            end = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            while (System.nanoTime() < end) {
                c.poll(Duration.ofMillis(100));
            }
        }
    }
}

package io.mxgate.system;

import io.mxgate.testkit.SmtpDialogue;
import io.mxgate.testkit.Stack;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 17, acceptance "with 3 brokers": mail on a replicated Kafka (three KRaft nodes, topics at replication factor
 * 3 and min.insync.replicas 2) while brokers die by SIGKILL. One broker lost, the leader of the partition the mail
 * goes to: nothing answered 250 is lost, and mail keeps being accepted once the partitions have new leaders. Two
 * lost: no 250 can rest on one copy, so the ingress answers 4xx at the end of DATA within
 * {@code mxgate.kafka.ack-timeout}; when they return, mail flows again. The clients are strangers (127.0.0.2, outside
 * mynetworks) sending to mailboxes, as an MX's clients are. Tests run in order on one stack: the first kills a
 * broker and leaves it dead, the second kills another and brings both back.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KafkaClusterTest {

    private static final Duration ACK_TIMEOUT = Duration.ofSeconds(10);
    private static final String STRANGER = "127.0.0.2";
    private static final List<String> USERS = List.of("alice", "bob");
    private static final Pattern SUBJECT = Pattern.compile("^Subject: (kc-[0-9a-f-]+)\r?$", Pattern.MULTILINE);

    private static Stack stack;
    /** The broker the first test killed; the second brings it back. */
    private static int firstDead;

    /** One SMTP transaction's reply to the final dot and how long it took after the dot; "error: ..." if none. */
    record Outcome(String tag, String reply, long millis) {
        boolean queued() {
            return SmtpDialogueTest.QUEUED.matcher(reply).matches();
        }
    }

    @BeforeAll
    static void start() {
        stack = Stack.start(Map.of(
                Stack.KAFKA_BROKERS, "3",
                "MXGATE_MYNETWORKS", "127.0.0.77/32",
                "MXGATE_KAFKA_ACK_TIMEOUT", ACK_TIMEOUT.toSeconds() + "s",
                "MXGATE_LMTP_BACKEND_RETRY_MAX_DELAY", "2s"));
        assertEquals("3", stack.setting("MXGATE_KAFKA_REPLICATION_FACTOR"));
        assertEquals("2", stack.setting("MXGATE_KAFKA_MIN_INSYNC_REPLICAS"));
        // recipients verified and the delivery consumers at work before anything is killed
        List<Outcome> warm = new ArrayList<>();
        for (String user : USERS) {
            assertTrue(Stack.await(Duration.ofSeconds(60), () -> {
                Outcome o = send(user);
                warm.add(o);
                return o.queued();
            }), "warm-up mail accepted: " + warm);
        }
        warm.removeIf(o -> !o.queued());
        assertTrue(Stack.await(Duration.ofSeconds(60), () -> lost(warm).isEmpty()), "warm-up mail delivered");
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    @Order(1)
    void killingTheLeaderWhileMailFlowsLosesNothingAndMailIsAcceptedRightAfter() throws Exception {
        int leader = stack.partitionLeader("mxgate.mailbox", 0).orElseThrow();
        AtomicInteger answered = new AtomicInteger();
        ExecutorService load = Executors.newFixedThreadPool(6);
        List<Future<Outcome>> loadResults = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            String user = USERS.get(i % USERS.size());
            loadResults.add(load.submit(() -> {
                Outcome o = send(user);
                answered.incrementAndGet();
                Thread.sleep(200);
                return o;
            }));
        }
        assertTrue(Stack.await(Duration.ofSeconds(60), () -> answered.get() >= 15), "the load runs");
        stack.killBroker(leader);
        firstDead = leader;
        // right after the kill, while the load goes on: one message after the other
        List<Outcome> sequential = IntStream.range(0, 20).mapToObj(i -> send(USERS.get(i % USERS.size()))).toList();
        List<Outcome> all = new ArrayList<>(sequential);
        for (Future<Outcome> f : loadResults) {
            all.add(f.get());
        }
        load.shutdown();

        long sequentialQueued = sequential.stream().filter(Outcome::queued).count();
        System.out.printf("KafkaClusterTest: killed broker %d (leader of mxgate.mailbox-0); load: %d of 60 got 250;"
                        + " sequential right after the kill: %d of 20 got 250, replies %s%n", leader,
                all.stream().skip(20).filter(Outcome::queued).count(), sequentialQueued,
                sequential.stream().map(o -> o.reply().substring(0, 3) + "/" + o.millis() + "ms").toList());
        List<Outcome> accepted = all.stream().filter(Outcome::queued).toList();
        Stack.await(Duration.ofSeconds(120), () -> lost(accepted).isEmpty());
        report(accepted);
        assertEquals(List.of(), lost(accepted), "every message answered 250 is in a Maildir");
        assertTrue(sequentialQueued >= 15, "at least 15 of 20 get 250 right after the kill: " + sequentialQueued);
    }

    @Test
    @Order(2)
    void withTwoBrokersDeadTheIngressAnswers4xxNever250AndMailFlowsWhenTheyReturn() throws Exception {
        assertNotEquals(0, firstDead, "runs after the first test, with one broker dead");
        int second = stack.partitionLeader("mxgate.mailbox", 0).orElseThrow();
        assertNotEquals(firstDead, second, "a live broker leads now");
        stack.killBroker(second);

        List<Outcome> refused = IntStream.range(0, 3).mapToObj(i -> send(USERS.get(i % USERS.size()))).toList();
        System.out.printf("KafkaClusterTest: brokers %d and %d dead: replies %s%n", firstDead, second,
                refused.stream().map(o -> o.reply() + " after " + o.millis() + "ms").toList());
        for (Outcome o : refused) {
            assertTrue(o.reply().startsWith("451 4.3.0 "), "a 4xx at the end of DATA, never 250: " + o);
            assertTrue(o.millis() <= ACK_TIMEOUT.plusSeconds(3).toMillis(),
                    "answered within mxgate.kafka.ack-timeout: " + o);
        }

        stack.startBroker(firstDead);
        stack.startBroker(second);
        assertTrue(Stack.await(Duration.ofSeconds(90), () -> send("alice").queued()), "accepts again");
        List<Outcome> after = IntStream.range(0, 10).mapToObj(i -> send(USERS.get(i % USERS.size()))).toList();
        after.forEach(o -> assertTrue(o.queued(), "mail flows with all brokers back: " + o));
        Stack.await(Duration.ofSeconds(60), () -> lost(after).isEmpty());
        report(after);
        assertEquals(List.of(), lost(after), "and is delivered");
    }

    /** One message from the stranger to {@code user}@example.test with a tag of its own in the Subject. */
    private static Outcome send(String user) {
        String tag = "kc-" + UUID.randomUUID();
        try (SmtpDialogue d = SmtpDialogue.open(stack.smtpPort(), STRANGER)) {
            d.timeout(ACK_TIMEOUT.plusSeconds(30));
            d.send("EHLO stranger.test").expect("250 *");
            d.send("MAIL FROM:<s@remote.test>").expect("250 *");
            d.send("RCPT TO:<" + user + "@example.test>").expect("250 *");
            d.send("DATA").expect("354 *");
            d.raw("Subject: " + tag + "\r\n\r\nwhile brokers die\r\n");
            long t0 = System.nanoTime();
            d.send(".");
            String reply = d.reply();
            long millis = (System.nanoTime() - t0) / 1_000_000;
            d.send("QUIT");
            return new Outcome(tag, reply == null ? "error: connection closed" : reply, millis);
        } catch (RuntimeException | AssertionError e) {
            return new Outcome(tag, "error: " + e, 0);
        }
    }

    /** How often each tag is in the users' Maildirs. */
    private static Map<String, Integer> delivered() {
        Map<String, Integer> seen = new HashMap<>();
        for (String user : USERS) {
            for (Path file : stack.maildir(user)) {
                try {
                    Matcher m = SUBJECT.matcher(Files.readString(file, java.nio.charset.StandardCharsets.ISO_8859_1));
                    if (m.find()) {
                        seen.merge(m.group(1), 1, Integer::sum);
                    }
                } catch (java.io.IOException e) {
                    // Dovecot moved it from new/ to cur/ meanwhile: the next look finds it
                }
            }
        }
        return seen;
    }

    private static List<String> lost(List<Outcome> accepted) {
        Map<String, Integer> seen = delivered();
        return accepted.stream().map(Outcome::tag).filter(t -> !seen.containsKey(t)).toList();
    }

    private static void report(List<Outcome> accepted) {
        Map<String, Integer> seen = delivered();
        List<String> duplicates = accepted.stream().map(Outcome::tag).filter(t -> seen.getOrDefault(t, 0) > 1)
                .map(t -> t + " x" + seen.get(t)).toList();
        System.out.printf("KafkaClusterTest: 250'd %d, lost %d, duplicated %d %s%n", accepted.size(),
                lost(accepted).size(), duplicates.size(), duplicates);
    }
}

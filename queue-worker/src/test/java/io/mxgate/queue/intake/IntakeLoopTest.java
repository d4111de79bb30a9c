package io.mxgate.queue.intake;

import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The intake loop's error handling, with Kafka's own {@link MockConsumer} failing on cue: a commit refused by a
 * rebalance costs nothing, any other failure starts a new consumer, and only a loop that died or cannot start again
 * is reported dead.
 */
class IntakeLoopTest {

    private static final String TOPIC = "mxgate.incoming";
    private static final TopicPartition TP = new TopicPartition(TOPIC, 0);

    private final List<Long> recorded = new CopyOnWriteArrayList<>();
    private final List<Long> noted = new CopyOnWriteArrayList<>();
    private final Queue<Boolean> progressFails = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final List<Scripted> consumers = new CopyOnWriteArrayList<>();
    private IntakeLoop loop;

    static Stream<KafkaException> refusedCommits() {
        return Stream.of(new RebalanceInProgressException("rebalance"), new CommitFailedException(),
                new TimeoutException("commit timed out"));
    }

    @ParameterizedTest
    @MethodSource("refusedCommits")
    void aRefusedCommitKeepsTheLoopAndTheConsumer(KafkaException refusal) throws Exception {
        start(() -> new Scripted(refusal), r -> true);
        Scripted c = consumers.get(0);
        c.add(0);
        await(() -> c.commitCalls() == 1);
        c.add(1);
        await(() -> offset(c) == 2);
        assertEquals(List.of(0L, 1L), recorded);
        assertEquals(1, consumers.size(), "the same consumer goes on");
        assertTrue(loop.alive());
        loop.stop(Duration.ofSeconds(5));
        assertTrue(c.closed());
    }

    @Test
    void anUnexpectedFailureStartsANewConsumer() throws Exception {
        start(Scripted::new, r -> true);
        Scripted first = consumers.get(0);
        first.setPollException(new KafkaException("broken"));
        await(() -> consumers.size() == 2);
        assertTrue(first.closed(), "the broken consumer left the group");
        assertTrue(loop.problem().contains("broken"), loop.problem());
        Scripted second = consumers.get(1);
        second.add(0);
        await(() -> offset(second) == 1);
        assertTrue(loop.alive());
        loop.stop(Duration.ofSeconds(5));
    }

    @Test
    void aLoopThatCannotStartAgainIsDead() throws Exception {
        start(() -> {
            throw new KafkaException("no consumer");
        }, r -> true);
        await(() -> !loop.alive());
        loop.stop(Duration.ofSeconds(5));
    }

    @Test
    void aLoopWhoseThreadEndedIsDead() throws Exception {
        start(Scripted::new, r -> {
            throw new StackOverflowError("a bug");
        });
        consumers.get(0).add(0);
        await(() -> !loop.alive());
        assertEquals(0, consumers.get(0).commitCalls());
    }

    @Test
    void aRecordThatCannotBeRecordedIsHeldAndNotCommitted() throws Exception {
        Queue<Boolean> fails = new ArrayDeque<>(List.of(true, true));
        start(Scripted::new, r -> {
            if (Boolean.TRUE.equals(fails.poll())) {
                throw new IllegalStateException("redis down");
            }
            return true;
        });
        Scripted c = consumers.get(0);
        c.add(0, 1);  // in one step: a poll between two adds left the mock's records out of order after a seek
        await(() -> offset(c) == 2);
        assertEquals(List.of(0L, 0L, 0L, 1L), recorded, "offset 0 tried until recorded, then 1");
        assertNull(loop.problem());
        assertTrue(loop.alive());
        loop.stop(Duration.ofSeconds(5));
    }

    @Test
    void offsetsAreNotedInTheIndexBeforeTheyAreCommitted() throws Exception {
        progressFails.addAll(List.of(true));
        start(Scripted::new, r -> true);
        Scripted c = consumers.get(0);
        c.add(0);
        await(() -> loop.problem() != null);
        assertTrue(loop.problem().contains("progress not noted"), loop.problem());
        assertEquals(-1, offset(c), "no commit beyond what the index has noted");
        c.add(1);
        await(() -> offset(c) == 2);
        assertEquals(List.of(2L), noted, "noted before the commit, once the index took it");
        assertNull(loop.problem());
        loop.stop(Duration.ofSeconds(5));
    }

    @Test
    void aStoppedLoopIsNotDead() throws Exception {
        start(Scripted::new, r -> true);
        loop.stop(Duration.ofSeconds(5));
        assertTrue(consumers.get(0).closed());
        assertTrue(loop.alive(), "a loop stopped on shutdown needs no restart");
    }

    private void start(Supplier<Scripted> factory, IntakeLoop.Recorder recorder) throws InterruptedException {
        loop = new IntakeLoop(() -> {
            Scripted c = factory.get();
            consumers.add(c);
            return c;
        }, List.of(TOPIC), r -> {
            recorded.add(r.offset());
            return recorder.record(r);
        }, positions -> {
            if (Boolean.TRUE.equals(progressFails.poll())) {
                throw new IllegalStateException("redis down");
            }
            noted.add(positions.get(TP).offset());
        }, () -> { }, Duration.ofMillis(1), Duration.ofMillis(5));
        loop.start();
        await(() -> !consumers.isEmpty() && !consumers.get(consumers.size() - 1).assignment().isEmpty()
                || !loop.alive());
    }

    private static long offset(Scripted c) {
        OffsetAndMetadata o = c.committed(java.util.Set.of(TP)).get(TP);
        return o == null ? -1 : o.offset();
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!condition.getAsBoolean()) {
            assertFalse(System.nanoTime() > end, "timed out");
            Thread.sleep(5);
        }
    }

    /** A consumer that owns partition 0 once subscribed, and refuses its first commit when told to. */
    private static final class Scripted extends MockConsumer<String, byte[]> {

        private final Queue<KafkaException> commitFailures = new ArrayDeque<>();
        private final List<ConsumerRecord<String, byte[]>> log = new java.util.ArrayList<>();
        private int commitCalls;

        Scripted(KafkaException... commitFailures) {
            super("earliest");
            this.commitFailures.addAll(List.of(commitFailures));
        }

        @Override
        public synchronized void subscribe(Collection<String> topics) {
            super.subscribe(topics);
            rebalance(List.of(TP));
            updateBeginningOffsets(Map.of(TP, 0L));
        }

        @Override
        public synchronized ConsumerRecords<String, byte[]> poll(Duration timeout) {
            ConsumerRecords<String, byte[]> records = super.poll(timeout);
            if (records.isEmpty()) {
                try {
                    wait(5);  // as a real poll waits, without holding up add()
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return records;
        }

        @Override
        public synchronized void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
            commitCalls++;
            KafkaException e = commitFailures.poll();
            if (e != null) {
                throw e;
            }
            super.commitSync(offsets);
        }

        synchronized int commitCalls() {
            return commitCalls;
        }

        /** As a real consumer fetches again from where it was sought to (this mock forgets what it returned). */
        @Override
        public synchronized void seek(TopicPartition partition, long offset) {
            super.seek(partition, offset);
            log.stream().filter(r -> r.offset() >= offset).forEach(this::addRecord);
        }

        synchronized void add(long... offsets) {
            for (long offset : offsets) {
                ConsumerRecord<String, byte[]> r = new ConsumerRecord<>(TOPIC, 0, offset, "k", new byte[0]);
                log.add(r);
                addRecord(r);
            }
            notifyAll();
        }
    }
}

package io.mxgate.queue.intake;

import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The intake's poll/commit loop on a thread of its own, apart from what a record means ({@link Recorder}).
 * <p>
 * Offsets are committed after every poll, for the records recorded, once {@link Progress} has noted them in the
 * queue index (ADR 0010: a committed offset beyond the index's note means the index lost writes); a partition whose
 * record could not be recorded is sought back to it (before the commit, while the partition is surely still ours) and the loop pauses. A commit
 * refused because the group rebalances (a replica joined or left) or timed out loses nothing: the records are
 * recorded, and whoever owns their partition next reads them again from the last committed offset, which recording
 * ignores (idempotent by topic:partition:offset); the next poll rejoins the group. Any other failure closes the
 * consumer, which leaves the group, and starts a new one after a pause that doubles up to the limit. After
 * {@link #FAILURES_BEFORE_DEAD} such failures in a row, or when the thread has ended, {@link #alive()} is false: a
 * liveness check that a restart of the process may cure.
 */
final class IntakeLoop {

    /** Records one record; true when it queued something for delivery now. Throws when it could not. */
    @FunctionalInterface
    interface Recorder {
        boolean record(ConsumerRecord<String, byte[]> record) throws Exception;
    }

    /** Notes the positions a poll recorded, before they are committed; throws when it could not. */
    @FunctionalInterface
    interface Progress {
        void applied(Map<TopicPartition, OffsetAndMetadata> positions) throws Exception;
    }

    static final int FAILURES_BEFORE_DEAD = 5;
    private static final Logger LOG = Logger.getLogger("qmgr");
    private static final Duration POLL = Duration.ofMillis(500);

    private final Supplier<Consumer<String, byte[]>> consumers;
    private final List<String> topics;
    private final Recorder recorder;
    private final Progress progress;
    private final Runnable queued;
    private final Duration firstPause;
    private final Duration maxPause;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile Consumer<String, byte[]> consumer;
    private volatile boolean running = true;
    private volatile int failures;
    private volatile String problem;
    private volatile Thread thread;

    /**
     * @param consumers a new consumer in the group, with auto commit off
     * @param queued    called after a poll that queued something for delivery now
     */
    IntakeLoop(Supplier<Consumer<String, byte[]>> consumers, List<String> topics, Recorder recorder,
               Progress progress, Runnable queued, Duration firstPause, Duration maxPause) {
        this.consumers = consumers;
        this.topics = List.copyOf(topics);
        this.recorder = recorder;
        this.progress = progress;
        this.queued = queued;
        this.firstPause = firstPause;
        this.maxPause = maxPause;
    }

    void start() {
        thread = new Thread(this::run, "intake");
        thread.start();
    }

    /** Wakes the consumer and waits for the loop to close it. */
    void stop(Duration timeout) throws InterruptedException {
        running = false;
        stopped.countDown();
        Consumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        if (thread != null) {
            thread.join(timeout.toMillis());
        }
    }

    /** False when the loop has ended without being stopped, or keeps failing as soon as it starts again. */
    boolean alive() {
        Thread t = thread;
        return t == null || !running || (t.isAlive() && failures < FAILURES_BEFORE_DEAD);
    }

    /** Why the last poll could not be recorded or the loop had to start again, or null. */
    String problem() {
        return problem;
    }

    private void run() {
        while (running) {
            Consumer<String, byte[]> c = null;
            try {
                c = consumers.get();
                consumer = c;
                if (!running) {
                    break;  // stop() may have woken the previous consumer
                }
                c.subscribe(topics);
                poll(c);
            } catch (WakeupException e) {
                // stop() woke the consumer; running is false now
            } catch (RuntimeException e) {
                failures++;
                problem = "intake loop failed: " + e;
                LOG.errorf(e, "error: intake loop failed (%s); starting it again in %d ms", e, backoff(failures));
            } finally {
                if (c != null) {
                    close(c);
                }
            }
            if (running && failures > 0 && pause(backoff(failures))) {
                return;
            }
        }
    }

    /** Polls until stopped; throws what it cannot handle. */
    private void poll(Consumer<String, byte[]> c) {
        int held = 0;
        while (running) {
            ConsumerRecords<String, byte[]> records = c.poll(POLL);
            failures = 0;
            if (records.isEmpty()) {
                continue;
            }
            if (handle(c, records)) {
                held++;
                LOG.warnf("warning: cannot record queue intake (%s); trying again in %d ms", problem, backoff(held));
                if (pause(backoff(held))) {
                    return;
                }
            } else {
                held = 0;
                problem = null;
            }
        }
    }

    /** Records a poll; seeks back to what is not recorded, commits what is; true when something was held back. */
    private boolean handle(Consumer<String, byte[]> c, ConsumerRecords<String, byte[]> records) {
        Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
        Map<TopicPartition, Long> holdFrom = new HashMap<>();
        boolean queuedNow = false;
        for (ConsumerRecord<String, byte[]> r : records) {
            TopicPartition tp = new TopicPartition(r.topic(), r.partition());
            if (holdFrom.containsKey(tp)) {
                continue;
            }
            try {
                queuedNow |= recorder.record(r);
                commit.put(tp, new OffsetAndMetadata(r.offset() + 1));
            } catch (Exception e) {
                problem = r.topic() + "@" + r.partition() + ":" + r.offset() + ": " + e;
                holdFrom.put(tp, r.offset());
            }
        }
        holdFrom.forEach(c::seek);
        boolean held = !holdFrom.isEmpty();
        if (!commit.isEmpty() && !noted(commit)) {
            // not committed: a crash or a rebalance reads these records again, which records nothing twice
            commit.clear();
            held = true;
        }
        if (!commit.isEmpty()) {
            try {
                c.commitSync(commit);
            } catch (RebalanceInProgressException | CommitFailedException | TimeoutException e) {
                LOG.warnf("warning: offsets not committed (%s): the records are read again by the partitions' next "
                        + "owner, and what is already queued is not queued again", e.getClass().getSimpleName());
            }
        }
        if (queuedNow) {
            queued.run();
        }
        return held;
    }

    private boolean noted(Map<TopicPartition, OffsetAndMetadata> commit) {
        try {
            progress.applied(commit);
            return true;
        } catch (Exception e) {
            problem = "queue index progress not noted: " + e;
            return false;
        }
    }

    /** The pause after the n-th failure in a row: the first pause, doubled each time up to the limit. */
    private long backoff(int n) {
        return Math.min(maxPause.toMillis(), firstPause.toMillis() << Math.min(n - 1, 20));
    }

    /** Sleeps unless stopped or interrupted; true when the loop must end. */
    private boolean pause(long millis) {
        try {
            return stopped.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    private static void close(Consumer<String, byte[]> c) {
        try {
            c.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        } catch (RuntimeException e) {
            LOG.warnf("warning: intake consumer did not close cleanly: %s", e.toString());
        }
    }
}

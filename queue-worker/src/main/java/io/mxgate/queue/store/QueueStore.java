package io.mxgate.queue.store;

import io.mxgate.core.dsn.RecipientStatus;
import io.mxgate.core.dsn.RecipientStatusCodec;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The queue index in Redis (ADR 0005): which records still have recipients to deliver, when each is due, which are
 * being delivered (with a lease) or on hold. The message bytes stay in Kafka; an entry points at its record.
 *
 * <pre>
 * {mxgate-queue}:e:&lt;topic:partition:offset&gt;  hash: qid, topic, partition, offset, size, arrival, sender, attempts,
 *                                             state, due, rcpt (per-recipient status), token, op
 * {mxgate-queue}:due      zset id -&gt; due time (ms)        state deferred
 * {mxgate-queue}:active   zset id -&gt; lease deadline (ms)  state active
 * {mxgate-queue}:hold     zset id -&gt; arrival              state hold
 * {mxgate-queue}:m:&lt;qid&gt;  set of a message's live entry ids
 * {mxgate-queue}:msgs     zset qid -&gt; arrival (the mailq listing and the oldest age)
 * {mxgate-queue}:warned:&lt;qid&gt;  delay DSN sent (SET NX)
 * {mxgate-queue}:indexed  the index's epoch: set when it was built or rebuilt from Kafka (ADR 0010); a FLUSHALL
 *                         or a lost dataset removes it, and its absence makes a replica rebuild the index
 * {mxgate-queue}:applied  hash topic:partition -&gt; the intake's next offset: the index holds every record before it;
 *                         written after a poll's entries and before its offsets are committed (ADR 0010)
 * {mxgate-queue}:reindex-lock  the replica rebuilding the index (SET NX PX, renewed while it runs)
 * {mxgate-queue}:genesis-copied  the genesis mark was copied to the state topic lately (SET NX EX)
 * {mxgate-queue}:done:&lt;topic:partition:offset&gt;  a bounce record's DSN queued (for the tombstone time)
 * </pre>
 * A finished entry leaves a tombstone (state done) for {@link #TOMBSTONE_TTL}, so that reading its Kafka record
 * again after a crash (offset not yet committed) does not queue it twice.
 */
@ApplicationScoped
public class QueueStore {

    static final String PREFIX = "{mxgate-queue}:";
    static final Duration TOMBSTONE_TTL = Duration.ofDays(1);
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final ReactiveRedisDataSource redis;
    private final Map<String, String> shas = new ConcurrentHashMap<>();

    QueueStore(ReactiveRedisDataSource redis) {
        this.redis = redis;
    }

    /** What {@link #finish} found. */
    public enum Finish { LOST, ENTRY_REMOVED, MESSAGE_REMOVED, QUEUED }

    /** Per-message admin operations (postsuper / postqueue). */
    public enum Op { FLUSH, HOLD, RELEASE, DELETE }

    /** Counts by state and the oldest arrival (null when the queue is empty). */
    public record Stats(long due, long active, long hold, long messages, Instant oldest) {
    }

    /** One listed message with all its entries. */
    public record Listed(String queueId, Instant arrival, List<QueueEntry> entries) {
    }

    public record Listing(long total, List<Listed> messages) {
    }

    /** Indexes a record; false when it was indexed before (or finished within the tombstone time). */
    public boolean add(QueueEntry e, Instant now) {
        Response r = eval(Scripts.ADD, e.id(), e.queueId(), ms(e.arrival()), ms(e.due()), ms(now),
                Long.toString(e.size()), e.sender().toString(), Integer.toString(e.attempts()), e.topic(),
                Integer.toString(e.partition()), Long.toString(e.offset()),
                RecipientStatusCodec.encode(e.recipients()));
        return r.toLong() == 1;
    }

    /** Takes up to {@code limit} due entries for this replica until {@code deadline}. */
    public List<QueueEntry> claim(Instant now, Instant deadline, int limit, String token) {
        Response r = eval(Scripts.CLAIM, ms(now), ms(deadline), Integer.toString(limit), token);
        List<QueueEntry> out = new ArrayList<>();
        for (int i = 0; i + 1 < r.size(); i += 2) {
            out.add(QueueEntry.fromHash(r.get(i).toString(), hash(r.get(i + 1))));
        }
        return out;
    }

    public void renew(List<String> ids, Instant deadline) {
        if (ids.isEmpty()) {
            return;
        }
        List<String> args = new ArrayList<>(ids.size() + 1);
        args.add(ms(deadline));
        args.addAll(ids);
        eval(Scripts.RENEW, args.toArray(String[]::new));
    }

    /** Returns entries whose lease ran out to the due set; how many. */
    public long recover(Instant now) {
        return eval(Scripts.RECOVER, ms(now), ms(TOMBSTONE_TTL)).toLong();
    }

    /** Ends an attempt: the entry is done (nothing left) or deferred again with the remaining recipients. */
    public Finish finish(QueueEntry entry, List<RecipientStatus> remaining, int attempts, Instant due) {
        Response r = eval(Scripts.FINISH, entry.id(), entry.token(), remaining.isEmpty() ? "done" : "deferred",
                ms(due), Integer.toString(attempts), RecipientStatusCodec.encode(remaining), ms(TOMBSTONE_TTL));
        return switch (r.toInteger()) {
            case -1 -> Finish.LOST;
            case 0 -> Finish.ENTRY_REMOVED;
            case 1 -> Finish.MESSAGE_REMOVED;
            default -> Finish.QUEUED;
        };
    }

    public long flushAll(Instant now) {
        return eval(Scripts.FLUSH_ALL, ms(now)).toLong();
    }

    /** Returns {entries changed, message gone (0/1)}. */
    public long[] message(Op op, String queueId, Instant now) {
        Response r = eval(Scripts.MESSAGE_OP, op.name().toLowerCase(java.util.Locale.ROOT), queueId, ms(now),
                ms(TOMBSTONE_TTL));
        return new long[] {r.get(0).toLong(), r.get(1).toLong()};
    }

    public Listing list(int offset, int limit) {
        Response r = eval(Scripts.LIST, Integer.toString(offset), Integer.toString(limit));
        List<Listed> out = new ArrayList<>();
        Response items = r.get(1);
        for (int i = 0; i + 2 < items.size(); i += 3) {
            String qid = items.get(i).toString();
            Instant arrival = Instant.ofEpochMilli((long) Double.parseDouble(items.get(i + 1).toString()));
            Response entries = items.get(i + 2);
            List<QueueEntry> list = new ArrayList<>();
            for (int k = 0; k + 1 < entries.size(); k += 2) {
                Map<String, String> h = hash(entries.get(k + 1));
                if (!h.isEmpty() && !"done".equals(h.get("state"))) {
                    list.add(QueueEntry.fromHash(entries.get(k).toString(), h));
                }
            }
            out.add(new Listed(qid, arrival, list));
        }
        return new Listing(r.get(0).toLong(), out);
    }

    public Stats stats() {
        Response r = eval(Scripts.STATS);
        long oldest = (long) Double.parseDouble(r.get(4).toString());
        return new Stats(r.get(0).toLong(), r.get(1).toLong(), r.get(2).toLong(), r.get(3).toLong(),
                oldest < 0 ? null : Instant.ofEpochMilli(oldest));
    }

    /** True the first time it is asked for a message: the delay DSN is sent once per message. */
    public boolean markWarned(String queueId, Duration keep) {
        Response r = redis.execute("SET", PREFIX + "warned:" + queueId, "1", "NX", "PX",
                Long.toString(Math.max(1, keep.toMillis()))).await().atMost(TIMEOUT);
        return r != null;
    }

    /** The live entry ids of a message. */
    public List<String> entryIds(String queueId) {
        Response r = redis.execute("SMEMBERS", PREFIX + "m:" + queueId).await().atMost(TIMEOUT);
        List<String> ids = new ArrayList<>();
        if (r != null) {
            for (int i = 0; i < r.size(); i++) {
                ids.add(r.get(i).toString());
            }
        }
        return ids;
    }

    /** The index's epoch (what it was built from), or null when the index was never built or was lost. */
    public String epoch() {
        Response r = redis.execute("GET", PREFIX + "indexed").await().atMost(TIMEOUT);
        return r == null ? null : r.toString();
    }

    public void setEpoch(String value) {
        redis.execute("SET", PREFIX + "indexed", value).await().atMost(TIMEOUT);
    }

    /**
     * Notes that the index holds every record of these partitions ({@code topic:partition}) before the given offsets.
     * Written after the entries it covers, so a Redis that loses its last writes (a failover, a restored snapshot)
     * loses this note with them or keeps both: a committed offset beyond it means entries were lost.
     */
    public void applied(Map<String, Long> positions) {
        if (positions.isEmpty()) {
            return;
        }
        List<String> args = new ArrayList<>(positions.size() * 2);
        positions.forEach((partition, offset) -> {
            args.add(partition);
            args.add(Long.toString(offset));
        });
        eval(Scripts.APPLIED, args.toArray(String[]::new));
    }

    /** The positions noted by {@link #applied(Map)}; empty when none were (an index older than the note). */
    public Map<String, Long> applied() {
        Map<String, Long> out = new HashMap<>();
        hash(eval(Scripts.APPLIED_GET))
                .forEach((partition, offset) -> out.put(partition, Long.parseLong(offset)));
        return out;
    }

    /** Takes the rebuild lock for {@code ttl}; false when another replica holds it. */
    public boolean lockReindex(String token, Duration ttl) {
        return redis.execute("SET", PREFIX + "reindex-lock", token, "NX", "PX", ms(ttl)).await().atMost(TIMEOUT)
                != null;
    }

    /** Extends the rebuild lock; false when this replica no longer holds it. */
    public boolean relockReindex(String token, Duration ttl) {
        return eval(Scripts.RELOCK, token, ms(ttl)).toLong() == 1;
    }

    public void unlockReindex(String token) {
        eval(Scripts.UNLOCK, token);
    }

    /** True at most once per {@code every}: time to copy the genesis mark to the state topic again. */
    public boolean genesisCopyDue(Duration every) {
        return redis.execute("SET", PREFIX + "genesis-copied", "1", "NX", "PX", ms(every)).await().atMost(TIMEOUT)
                != null;
    }

    /**
     * Whether a record that queues no entry of its own (a bounce-topic record: its DSN goes to Kafka) was handled
     * within the tombstone time, as {@link #add} knows for the others: reading it again after a crash or a commit
     * refused in a rebalance must not queue its DSN twice.
     */
    public boolean handled(String id) {
        return redis.execute("EXISTS", PREFIX + "done:" + id).await().atMost(TIMEOUT).toLong() == 1;
    }

    public void markHandled(String id) {
        redis.execute("SET", PREFIX + "done:" + id, "1", "PX", Long.toString(TOMBSTONE_TTL.toMillis()))
                .await().atMost(TIMEOUT);
    }

    public Uni<Boolean> ping() {
        return redis.execute("PING").map(r -> r != null && "PONG".equals(r.toString()));
    }

    /** Runs a script by SHA, loading it on first use and again after a Redis restart (NOSCRIPT). */
    private Response eval(String script, String... argv) {
        String sha = shas.computeIfAbsent(script, QueueStore::sha1);
        String[] args = new String[argv.length + 4];
        args[0] = sha;
        args[1] = "1";
        args[2] = PREFIX + "due";
        args[3] = PREFIX;
        System.arraycopy(argv, 0, args, 4, argv.length);
        try {
            return redis.execute("EVALSHA", args).await().atMost(TIMEOUT);
        } catch (RuntimeException e) {
            if (String.valueOf(e.getMessage()).contains("NOSCRIPT")) {
                args[0] = script;
                return redis.execute("EVAL", args).await().atMost(TIMEOUT);
            }
            throw e;
        }
    }

    private static Map<String, String> hash(Response r) {
        Map<String, String> h = new HashMap<>();
        if (r == null) {
            return h;
        }
        for (int i = 0; i + 1 < r.size(); i += 2) {
            h.put(r.get(i).toString(), r.get(i + 1).toString());
        }
        return h;
    }

    private static String ms(Instant t) {
        return Long.toString(t.toEpochMilli());
    }

    private static String ms(Duration d) {
        return Long.toString(d.toMillis());
    }

    private static String sha1(String script) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
                    .digest(script.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

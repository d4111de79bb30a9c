package io.mxgate.verify.cache;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.hash.ReactiveHashCommands;
import io.quarkus.redis.datasource.keys.KeyScanArgs;
import io.quarkus.redis.datasource.keys.ReactiveKeyCommands;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;

/**
 * The verify map in Redis, one hash per address under {@value #PREFIX}, expired by Redis TTL. The single-flight
 * lock of a probe is a plain key under {@value #LOCK_PREFIX} set with NX and a lease, so one probe per address runs
 * across all replicas. Listing uses SCAN, never KEYS.
 */
@ApplicationScoped
public class VerifyCache {

    static final String PREFIX = "mxgate:verify:";
    static final String LOCK_PREFIX = "mxgate:verify-lock:";

    private final ReactiveRedisDataSource redis;
    private final ReactiveHashCommands<String, String, String> hashes;
    private final ReactiveKeyCommands<String> keys;

    VerifyCache(ReactiveRedisDataSource redis) {
        this.redis = redis;
        this.hashes = redis.hash(String.class);
        this.keys = redis.key();
    }

    public Uni<VerifyEntry> get(String address) {
        return hashes.hgetall(PREFIX + address).map(VerifyEntry::fromHash);
    }

    public Uni<Void> put(String address, VerifyEntry entry, long ttlMillis) {
        String key = PREFIX + address;
        return hashes.hset(key, entry.toHash()).chain(() -> keys.pexpire(key, ttlMillis)).replaceWithVoid();
    }

    public Uni<Boolean> delete(String address) {
        return keys.del(PREFIX + address).map(n -> n > 0);
    }

    /** Takes the probe lock for an address; true when this caller holds it now. */
    public Uni<Boolean> lock(String address, String owner, long leaseMillis) {
        return redis.execute("SET", LOCK_PREFIX + address, owner, "NX", "PX", Long.toString(leaseMillis))
                .map(r -> r != null);
    }

    public Uni<Void> unlock(String address) {
        return keys.del(LOCK_PREFIX + address).replaceWithVoid();
    }

    /** Every cached address with its entry, by SCAN. */
    public Multi<Map.Entry<String, VerifyEntry>> list() {
        return keys.scan(new KeyScanArgs().match(PREFIX + "*").count(500)).toMulti()
                .onItem().transformToUniAndConcatenate(key -> hashes.hgetall(key)
                        .map(h -> Map.entry(key.substring(PREFIX.length()), VerifyEntry.fromHash(h))))
                .select().where(e -> e.getValue() != null);
    }

    /** Deletes every entry (postmap -d for all); returns how many. */
    public Uni<Long> flush() {
        return keys.scan(new KeyScanArgs().match(PREFIX + "*").count(500)).toMulti()
                .onItem().transformToUniAndConcatenate(keys::del)
                .collect().with(java.util.stream.Collectors.summingLong(Integer::longValue));
    }

    public Uni<Boolean> ping() {
        return redis.execute("PING").map(r -> r != null && "PONG".equals(r.toString()));
    }
}

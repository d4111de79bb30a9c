package io.mxgate.core.table.sql;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The answers of one SQL table, "not found" included: fresh for the TTL, and while the database fails still served
 * for the stale-if-error period after that, so known addresses keep working through an outage (ADR 0008). Free of
 * I/O; the clock is given.
 */
final class SqlCache {

    /** What the cache says about a key. */
    sealed interface Answer permits Fresh, Stale, Unknown {
    }

    /** Younger than the TTL: no query. */
    record Fresh(Optional<String> value) implements Answer {
    }

    /** Older than the TTL but within stale-if-error: query, and fall back to this when the query fails. */
    record Stale(Optional<String> value) implements Answer {
    }

    /** Never seen, or too old even for an outage. */
    record Unknown() implements Answer {
    }

    private record Entry(Optional<String> value, long storedNanos) {
    }

    private final long ttlNanos;
    private final long staleNanos;
    private final LongSupplier nanoClock;
    private final Map<String, Entry> entries;

    SqlCache(SqlOptions options, LongSupplier nanoClock) {
        this.ttlNanos = options.cacheTtl().toNanos();
        this.staleNanos = ttlNanos + options.staleIfError().toNanos();
        this.nanoClock = nanoClock;
        int capacity = options.cacheSize();
        this.entries = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
                return size() > capacity;
            }
        };
    }

    synchronized Answer get(String key) {
        Entry e = entries.get(key);
        if (e == null) {
            return new Unknown();
        }
        long age = nanoClock.getAsLong() - e.storedNanos();
        if (age < ttlNanos) {
            return new Fresh(e.value());
        }
        if (age < staleNanos) {
            return new Stale(e.value());
        }
        entries.remove(key);
        return new Unknown();
    }

    synchronized void put(String key, Optional<String> value) {
        entries.remove(key);  // re-inserted last, so the eviction order stays the order of storing
        entries.put(key, new Entry(value, nanoClock.getAsLong()));
    }
}

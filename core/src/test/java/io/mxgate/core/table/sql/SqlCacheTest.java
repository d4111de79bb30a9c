package io.mxgate.core.table.sql;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The answer cache's rule (ADR 0008): fresh for the TTL, then stale for stale-if-error, then unknown. */
class SqlCacheTest {

    private static final SqlOptions OPTIONS = new SqlOptions(1, Duration.ofSeconds(1), Duration.ofSeconds(1),
            Duration.ofSeconds(60), Duration.ofHours(1), 2);

    @ParameterizedTest(name = "[{index}] {0} stored, asked after {1}s -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            a@x.org   | 0     | Fresh
            a@x.org   | 59    | Fresh
            a@x.org   | 60    | Stale
            a@x.org   | 3659  | Stale
            a@x.org   | 3660  | Unknown
            -         | 0     | Fresh
            -         | 61    | Stale
            -         | 3660  | Unknown
            """)
    void ages(String stored, long seconds, String expected) {
        AtomicLong now = new AtomicLong(1_000);
        SqlCache cache = new SqlCache(OPTIONS, now::get);
        Optional<String> value = stored.equals("-") ? Optional.empty() : Optional.of(stored);
        cache.put("k", value);
        now.addAndGet(Duration.ofSeconds(seconds).toNanos());
        SqlCache.Answer answer = cache.get("k");
        assertEquals(expected, answer.getClass().getSimpleName());
        if (answer instanceof SqlCache.Fresh f) {
            assertEquals(value, f.value());
        } else if (answer instanceof SqlCache.Stale s) {
            assertEquals(value, s.value());
        }
    }

    @ParameterizedTest(name = "[{index}] capacity 2, stored {0} -> {1} forgotten")
    @CsvSource(delimiter = '|', textBlock = """
            a b c     | a
            a b a c   | b
            """)
    void oldestStoredGoesFirst(String keys, String forgotten) {
        SqlCache cache = new SqlCache(OPTIONS, () -> 0);
        for (String k : keys.split(" ")) {
            cache.put(k, Optional.of(k));
        }
        for (String k : keys.split(" ")) {
            assertEquals(k.equals(forgotten) ? "Unknown" : "Fresh", cache.get(k).getClass().getSimpleName(), k);
        }
    }
}

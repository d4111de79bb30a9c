package io.mxgate.core.envelope;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QueueIdTest {

    private static final Pattern SHAPE = Pattern.compile("[0-9A-Za-z]+");

    private static QueueId at(long millis) {
        return new QueueId(Clock.fixed(Instant.ofEpochMilli(millis), ZoneOffset.UTC));
    }

    /** Same millisecond for all: uniqueness must come from the random part. */
    @Test
    void tenThousandIdsInTheSameMillisecondAreUniqueAndAlphanumeric() {
        QueueId ids = at(1_714_566_896_789L);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String id = ids.next();
            assertTrue(SHAPE.matcher(id).matches(), id);
            assertEquals(19, id.length(), id);
            assertTrue(seen.add(id), "duplicate " + id);
        }
        assertEquals(10_000, seen.size());
    }

    @Test
    void systemClockIdsAreUniqueAndAlphanumeric() {
        QueueId ids = new QueueId(Clock.systemUTC());
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String id = ids.next();
            assertTrue(SHAPE.matcher(id).matches(), id);
            assertTrue(seen.add(id), "duplicate " + id);
        }
    }

    /** The time part is the arrival in microseconds, base 52 with Postfix's alphabet (no vowels). */
    @ParameterizedTest(name = "{0} ms -> {1}")
    @CsvSource({
            "0, 0",
            "1, MD",
            "1700000000000, bnZCRxw3h",
            "1700000000001, bnZCRxwQw",
            "1767225600000, d2yTztnbh",
    })
    void timePrefix(long millis, String prefix) {
        String id = at(millis).next();
        assertEquals(prefix, id.substring(0, prefix.length()), id);
        assertEquals(prefix.length() + 10, id.length(), id);
    }

    @Test
    void idsSortByArrival() {
        long[] times = {1_700_000_000_000L, 1_700_000_000_001L, 1_700_000_001_000L, 1_714_566_896_789L, 1_767_225_600_000L};
        String previous = "";
        for (long t : times) {
            String id = at(t).next();
            assertTrue(id.compareTo(previous) > 0, id + " sorts before " + previous);
            previous = id;
        }
    }
}

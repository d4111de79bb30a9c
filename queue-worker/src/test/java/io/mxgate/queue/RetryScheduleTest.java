package io.mxgate.queue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Postfix's retry arithmetic with a clock the test controls. */
class RetryScheduleTest {

    private static final Instant ARRIVAL = Instant.parse("2026-11-25T00:00:00Z");
    private static final RetrySchedule POSTFIX = new RetrySchedule(Duration.ofSeconds(300), Duration.ofSeconds(4000),
            Duration.ofDays(5), Duration.ofDays(5), Duration.ZERO);

    @ParameterizedTest(name = "[{index}] attempt at +{0}s -> next at +{1}s")
    @CsvSource(textBlock = """
            0,      300
            10,     310
            299,    599
            300,    600
            600,    1200
            1200,   2400
            2400,   4800
            3999,   7998
            4000,   8000
            5000,   9000
            400000, 404000
            """)
    void waitIsTheAgeBetweenMinimalAndMaximalBackoff(long attemptAt, long nextAt) {
        assertEquals(ARRIVAL.plusSeconds(nextAt), POSTFIX.nextAttempt(ARRIVAL, ARRIVAL.plusSeconds(attemptAt)));
    }

    @Test
    void attemptsRightWhenDueDoubleTheirWaitUntilTheMaximum() {
        List<Long> waits = new ArrayList<>();
        Instant t = ARRIVAL;
        for (int i = 0; i < 8; i++) {
            Instant next = POSTFIX.nextAttempt(ARRIVAL, t);
            waits.add(Duration.between(t, next).getSeconds());
            t = next;
        }
        assertEquals(List.of(300L, 300L, 600L, 1200L, 2400L, 4000L, 4000L, 4000L), waits);
    }

    @ParameterizedTest(name = "[{index}] age {0}s, null sender {1} -> expired {2}")
    @CsvSource(textBlock = """
            0,      false, false
            431999, false, false
            432000, false, true
            500000, false, true
            3599,   true,  false
            3600,   true,  true
            """)
    void lifetimes(long age, boolean nullSender, boolean expired) {
        RetrySchedule s = new RetrySchedule(Duration.ofSeconds(300), Duration.ofSeconds(4000), Duration.ofDays(5),
                Duration.ofHours(1), Duration.ZERO);
        assertEquals(expired, s.expired(ARRIVAL, ARRIVAL.plusSeconds(age), nullSender));
        assertEquals(ARRIVAL.plus(nullSender ? Duration.ofHours(1) : Duration.ofDays(5)),
                s.retryUntil(ARRIVAL, nullSender));
    }

    @ParameterizedTest(name = "[{index}] delay_warning_time {0}s, age {1}s, null sender {2} -> {3}")
    @CsvSource(textBlock = """
            0,     99999, false, false
            14400, 14399, false, false
            14400, 14400, false, true
            14400, 20000, true,  false
            """)
    void delayWarnings(long warningTime, long age, boolean nullSender, boolean due) {
        RetrySchedule s = new RetrySchedule(Duration.ofSeconds(300), Duration.ofSeconds(4000), Duration.ofDays(5),
                Duration.ofDays(5), Duration.ofSeconds(warningTime));
        assertEquals(due, s.warningDue(ARRIVAL, ARRIVAL.plusSeconds(age), nullSender));
    }
}

package io.mxgate.queue.smtp;

import io.vertx.core.Future;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DestinationLimiterTest {

    @Test
    void atMostTheLimitPerDestinationTheRestInArrivalOrder() {
        DestinationLimiter limiter = new DestinationLimiter(2);
        Future<Void> a = limiter.acquire("smtp:[a]");
        Future<Void> b = limiter.acquire("smtp:[a]");
        Future<Void> c = limiter.acquire("smtp:[a]");
        Future<Void> d = limiter.acquire("smtp:[a]");
        Future<Void> other = limiter.acquire("smtp:[b]");
        assertTrue(a.succeeded() && b.succeeded() && other.succeeded());
        assertFalse(c.isComplete() || d.isComplete());
        limiter.release("smtp:[a]");
        assertTrue(c.succeeded());
        assertFalse(d.isComplete());
        limiter.release("smtp:[a]");
        assertTrue(d.succeeded());
    }

    @Test
    void deadDestinationsComeBackAfterTheBackoffOrAFlush() {
        Instant[] now = {Instant.parse("2026-11-25T00:00:00Z")};
        Clock clock = new Clock() {
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            public Instant instant() {
                return now[0];
            }
        };
        DeadDestinations dead = new DeadDestinations(clock, Duration.ofSeconds(300));
        dead.markDead("relay:[p]:25", "connect to p[10.0.0.1]:25: Connection refused");
        assertEquals("connect to p[10.0.0.1]:25: Connection refused", dead.reason("relay:[p]:25"));
        now[0] = now[0].plusSeconds(299);
        assertEquals("connect to p[10.0.0.1]:25: Connection refused", dead.reason("relay:[p]:25"));
        now[0] = now[0].plusSeconds(1);
        assertNull(dead.reason("relay:[p]:25"));
        dead.markDead("relay:[p]:25", "again");
        dead.clear();
        assertNull(dead.reason("relay:[p]:25"));
    }
}

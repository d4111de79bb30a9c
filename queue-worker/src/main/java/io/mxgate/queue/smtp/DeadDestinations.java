package io.mxgate.queue.smtp;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Destinations none of whose servers could be reached, remembered for {@code minimal_backoff_time} as Postfix's
 * qmgr throttles a dead site: mail for them is deferred at once ("delivery temporarily suspended: ...") instead of
 * each message waiting for its own connect timeout. A flush forgets them (Postfix's {@code postqueue -f} does too).
 */
final class DeadDestinations {

    private record Dead(long until, String reason) {
    }

    private final Clock clock;
    private final Duration duration;
    private final Map<String, Dead> dead = new ConcurrentHashMap<>();

    DeadDestinations(Clock clock, Duration duration) {
        this.clock = clock;
        this.duration = duration;
    }

    /** Why the destination is considered dead, or null when it may be tried. */
    String reason(String destination) {
        Dead d = dead.get(destination);
        if (d == null) {
            return null;
        }
        if (clock.millis() >= d.until()) {
            dead.remove(destination, d);
            return null;
        }
        return d.reason();
    }

    void markDead(String destination, String reason) {
        dead.put(destination, new Dead(clock.millis() + duration.toMillis(), reason));
    }

    void markAlive(String destination) {
        dead.remove(destination);
    }

    void clear() {
        dead.clear();
    }
}

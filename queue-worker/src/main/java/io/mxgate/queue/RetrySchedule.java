package io.mxgate.queue;

import java.time.Duration;
import java.time.Instant;

/**
 * Postfix's retry arithmetic (qmgr_active.c): after a failed attempt a message waits as long as it has been queued,
 * but at least {@code minimal_backoff_time} and at most {@code maximal_backoff_time}, so the waits double (300 s,
 * 600 s, 1200 s, 2400 s, then 4000 s each). A message still deferred at {@code maximal_queue_lifetime}
 * ({@code bounce_queue_lifetime} for mail from the null sender) is returned; {@code delay_warning_time} &gt; 0 sends
 * one warning at that age. Pure: the caller passes the time. The scheduler and the DSNs (Will-Retry-Until, the
 * lifetime in the delay warning's text) read the same one.
 */
public record RetrySchedule(Duration minimalBackoff, Duration maximalBackoff, Duration maximalQueueLifetime,
                            Duration bounceQueueLifetime, Duration delayWarningTime) {

    public static RetrySchedule of(QueueWorkerConfig config) {
        return new RetrySchedule(config.minimalBackoffTime(), config.maximalBackoffTime(),
                config.maximalQueueLifetime(), config.bounceQueueLifetime(), config.delayWarningTime());
    }

    /** The time of the next attempt after one that ended at {@code now}. */
    public Instant nextAttempt(Instant arrival, Instant now) {
        Duration age = Duration.between(arrival, now);
        Duration wait = age.compareTo(maximalBackoff) > 0 ? maximalBackoff : age;
        if (wait.compareTo(minimalBackoff) < 0) {
            wait = minimalBackoff;
        }
        return now.plus(wait);
    }

    public Duration lifetime(boolean nullSender) {
        return nullSender ? bounceQueueLifetime : maximalQueueLifetime;
    }

    /** True when a recipient deferred at {@code now} is to be returned instead of tried again. */
    public boolean expired(Instant arrival, Instant now, boolean nullSender) {
        return !now.isBefore(arrival.plus(lifetime(nullSender)));
    }

    /** The DSN's Will-Retry-Until. */
    public Instant retryUntil(Instant arrival, boolean nullSender) {
        return arrival.plus(lifetime(nullSender));
    }

    /** True when a delay warning is due (never for the null sender, never when turned off). */
    public boolean warningDue(Instant arrival, Instant now, boolean nullSender) {
        return !nullSender && !delayWarningTime.isZero() && !delayWarningTime.isNegative()
                && !now.isBefore(arrival.plus(delayWarningTime));
    }
}

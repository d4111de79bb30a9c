package io.mxgate.queue.api;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.mxgate.queue.store.QueueStore;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Queue depth by state and the oldest message's age, read from the shared index every 5 s (the same numbers on
 * every replica): {@code mxgate_queue_entries{state=deferred|active|hold}}, {@code mxgate_queue_messages},
 * {@code mxgate_queue_oldest_age_seconds}. Delivery counts are {@code mxgate_queue_recipients_total{status}}.
 */
@ApplicationScoped
public class QueueMetrics {

    private final QueueStore store;
    private final Vertx vertx;
    private final AtomicLong due = new AtomicLong();
    private final AtomicLong active = new AtomicLong();
    private final AtomicLong hold = new AtomicLong();
    private final AtomicLong messages = new AtomicLong();
    private final AtomicLong oldest = new AtomicLong(-1);
    private long timer = -1;

    QueueMetrics(QueueStore store, Vertx vertx, MeterRegistry registry) {
        this.store = store;
        this.vertx = vertx;
        Gauge.builder("mxgate.queue.entries", due, AtomicLong::get).tag("state", "deferred")
                .description("queue entries waiting for their next attempt").register(registry);
        Gauge.builder("mxgate.queue.entries", active, AtomicLong::get).tag("state", "active")
                .description("queue entries being delivered").register(registry);
        Gauge.builder("mxgate.queue.entries", hold, AtomicLong::get).tag("state", "hold")
                .description("queue entries on hold").register(registry);
        Gauge.builder("mxgate.queue.messages", messages, AtomicLong::get)
                .description("messages with recipients in the queue").register(registry);
        Gauge.builder("mxgate.queue.oldest.age", this, m -> m.oldestAgeSeconds()).baseUnit("seconds")
                .description("age of the oldest queued message").register(registry);
    }

    void start(@Observes StartupEvent event) {
        timer = vertx.setPeriodic(5000, id -> vertx.executeBlocking(() -> {
            QueueStore.Stats s = store.stats();
            due.set(s.due());
            active.set(s.active());
            hold.set(s.hold());
            messages.set(s.messages());
            oldest.set(s.oldest() == null ? -1 : s.oldest().toEpochMilli());
            return null;
        }, false));
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    private double oldestAgeSeconds() {
        long t = oldest.get();
        return t < 0 ? 0 : Math.max(0, (System.currentTimeMillis() - t) / 1000.0);
    }
}

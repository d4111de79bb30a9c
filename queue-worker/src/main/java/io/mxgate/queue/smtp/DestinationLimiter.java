package io.mxgate.queue.smtp;

import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Postfix's {@code default_destination_concurrency_limit}: at most so many deliveries to one destination (one
 * transport:nexthop) at a time on this replica; the others wait their turn in arrival order. Never blocks a thread.
 */
final class DestinationLimiter {

    private static final class Slot {
        int active;
        final ArrayDeque<Promise<Void>> waiting = new ArrayDeque<>();
    }

    private final int limit;
    private final Map<String, Slot> slots = new HashMap<>();

    DestinationLimiter(int limit) {
        this.limit = Math.max(1, limit);
    }

    synchronized Future<Void> acquire(String destination) {
        Slot s = slots.computeIfAbsent(destination, d -> new Slot());
        if (s.active < limit) {
            s.active++;
            return Future.succeededFuture();
        }
        Promise<Void> p = Promise.promise();
        s.waiting.add(p);
        return p.future();
    }

    void release(String destination) {
        Promise<Void> next;
        synchronized (this) {
            Slot s = slots.get(destination);
            if (s == null) {
                return;
            }
            next = s.waiting.poll();
            if (next == null) {
                s.active--;
                if (s.active == 0) {
                    slots.remove(destination);
                }
            }
        }
        if (next != null) {
            next.complete();
        }
    }
}

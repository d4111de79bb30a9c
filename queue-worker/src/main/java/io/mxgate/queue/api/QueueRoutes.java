package io.mxgate.queue.api;

import io.mxgate.core.dsn.RecipientStatus;
import io.mxgate.queue.intake.Reindex;
import io.mxgate.queue.schedule.QueueManager;
import io.mxgate.queue.store.QueueEntry;
import io.mxgate.queue.store.QueueStore;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.time.Instant;
import java.util.concurrent.Callable;

/**
 * The queue tools over HTTP on the management port, Postfix's mailq / postqueue / postsuper ({@code ./mxgate queue}
 * calls them):
 * <pre>
 * GET    /v1/queue               mailq: every message with id, size, arrival, sender, state, per-recipient reason
 * POST   /v1/queue/flush         postqueue -f: all deferred mail due now
 * POST   /v1/queue/reindex       rebuild the queue index from Kafka (ADR 0010); 409 while another replica does
 * POST   /v1/queue/{id}/flush    postqueue -i id
 * POST   /v1/queue/{id}/hold     postsuper -h id
 * POST   /v1/queue/{id}/release  postsuper -H id
 * DELETE /v1/queue/{id}          postsuper -d id (no DSN)
 * </pre>
 * Redis calls block, so they run on a worker thread, never on the event loop.
 */
@ApplicationScoped
public class QueueRoutes {

    private final QueueStore store;
    private final QueueManager qmgr;
    private final Reindex reindex;

    QueueRoutes(QueueStore store, QueueManager qmgr, Reindex reindex) {
        this.store = store;
        this.qmgr = qmgr;
        this.reindex = reindex;
    }

    void routes(@Observes Router router) {
        router.get("/v1/queue").handler(rc -> blocking(rc, () -> list(rc)));
        router.post("/v1/queue/flush").handler(rc -> blocking(rc, () -> new JsonObject().put("flushed", qmgr.flush())));
        router.post("/v1/queue/reindex").handler(rc -> blocking(rc, () -> reindex(rc)));
        router.post("/v1/queue/:id/flush").handler(rc -> op(rc, QueueStore.Op.FLUSH));
        router.post("/v1/queue/:id/hold").handler(rc -> op(rc, QueueStore.Op.HOLD));
        router.post("/v1/queue/:id/release").handler(rc -> op(rc, QueueStore.Op.RELEASE));
        router.delete("/v1/queue/:id").handler(rc -> op(rc, QueueStore.Op.DELETE));
    }

    private void op(RoutingContext rc, QueueStore.Op op) {
        String id = rc.pathParam("id");
        blocking(rc, () -> {
            long[] r = qmgr.message(op, id);
            if (r[0] == 0) {
                rc.response().setStatusCode(404);
                return new JsonObject().put("error", id + ": no such message"
                        + (op == QueueStore.Op.RELEASE ? " on hold" : op == QueueStore.Op.FLUSH ? " deferred" : ""));
            }
            return new JsonObject().put("id", id).put("changed", r[0]).put("removed", r[1] == 1);
        });
    }

    private JsonObject reindex(RoutingContext rc) throws Exception {
        Reindex.Result r = reindex.rebuild("asked by an administrator");
        if (!r.ran()) {
            rc.response().setStatusCode(409);
            return new JsonObject().put("error", "another replica is rebuilding the queue index");
        }
        return new JsonObject().put("records", r.records()).put("queued", r.added()).put("marks", r.marks())
                .put("ms", r.millis());
    }

    private JsonObject list(RoutingContext rc) {
        int limit = 1000;
        String l = rc.queryParams().get("limit");
        if (l != null) {
            limit = Math.max(1, Math.min(100_000, Integer.parseInt(l)));
        }
        QueueStore.Listing listing = store.list(0, limit);
        JsonArray messages = new JsonArray();
        long bytes = 0;
        for (QueueStore.Listed m : listing.messages()) {
            if (m.entries().isEmpty()) {
                continue;
            }
            String state = "deferred";
            long size = 0;
            int attempts = 0;
            Instant next = null;
            JsonArray recipients = new JsonArray();
            for (QueueEntry e : m.entries()) {
                if (e.state().equals("hold")) {
                    state = "hold";
                } else if (e.state().equals("active") && !state.equals("hold")) {
                    state = "active";
                }
                size = Math.max(size, e.size());
                attempts = Math.max(attempts, e.attempts());
                if (e.state().equals("deferred") && (next == null || e.due().isBefore(next))) {
                    next = e.due();
                }
                for (RecipientStatus r : e.recipients()) {
                    recipients.add(new JsonObject().put("address", r.recipient().toString())
                            .put("original", r.original().toString()).put("dsn", r.dsn().toString())
                            .put("reason", r.reason()));
                }
            }
            bytes += size;
            QueueEntry first = m.entries().get(0);
            messages.add(new JsonObject().put("id", m.queueId()).put("size", size)
                    .put("arrival", m.arrival().toString()).put("arrival-ms", m.arrival().toEpochMilli())
                    .put("sender", first.sender().toString()).put("state", state).put("attempts", attempts)
                    .put("next-attempt", next == null ? null : next.toString()).put("recipients", recipients));
        }
        return new JsonObject().put("total", listing.total()).put("bytes", bytes).put("messages", messages);
    }

    private static void blocking(RoutingContext rc, Callable<JsonObject> work) {
        rc.vertx().executeBlocking(work, false).onComplete(ar -> {
            if (ar.succeeded()) {
                rc.response().putHeader("content-type", "application/json").end(ar.result().encode());
            } else {
                rc.response().setStatusCode(503).putHeader("content-type", "application/json")
                        .end(new JsonObject().put("error", String.valueOf(ar.cause())).encode());
            }
        });
    }
}

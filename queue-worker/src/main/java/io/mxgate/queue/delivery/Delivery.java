package io.mxgate.queue.delivery;

import io.mxgate.core.delivery.DeliveryLog;
import io.mxgate.core.delivery.RecipientResult;
import io.mxgate.core.dsn.RecipientStatus;
import io.mxgate.core.envelope.Envelope;
import io.mxgate.core.routing.RecipientResolver;
import io.mxgate.core.routing.Route;
import io.mxgate.core.smtp.EnhancedStatus;
import io.mxgate.queue.Outcome;
import io.mxgate.queue.routing.Routing;
import io.mxgate.queue.smtp.SmtpAgent;
import io.vertx.core.Future;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One delivery attempt of one queued message (qmgr handing recipients to delivery agents): each recipient is
 * resolved to its route, recipients with the same route are delivered together, and the agents run in parallel.
 * {@code error:} bounces, {@code retry:} and unknown transports defer, {@code discard:} counts as sent, each logged
 * as Postfix's error(8) and discard(8) log them.
 */
@ApplicationScoped
public class Delivery {

    private final Routing routing;
    private final SmtpAgent smtp;
    private final Clock clock = Clock.systemUTC();

    Delivery(Routing routing, SmtpAgent smtp) {
        this.routing = routing;
        this.smtp = smtp;
    }

    /** Never fails: every recipient gets an outcome. */
    public Future<List<Outcome>> deliver(Envelope envelope, List<RecipientStatus> recipients, byte[] message,
                                         Instant dequeued) {
        List<Future<RecipientResolver.Target>> lookups = new ArrayList<>(recipients.size());
        for (RecipientStatus r : recipients) {
            lookups.add(routing.resolver().route(r.recipient()));  // never fails: a table problem is a Defer route
        }
        return Future.all(lookups).compose(all -> {
            Map<String, Route> routes = new LinkedHashMap<>();
            Map<String, List<RecipientStatus>> groups = new LinkedHashMap<>();
            for (int i = 0; i < recipients.size(); i++) {
                Route route = lookups.get(i).result().route();
                routes.putIfAbsent(route.key(), route);
                groups.computeIfAbsent(route.key(), k -> new ArrayList<>()).add(recipients.get(i));
            }
            List<Future<List<Outcome>>> parts = new ArrayList<>();
            for (Map.Entry<String, List<RecipientStatus>> g : groups.entrySet()) {
                parts.add(dispatch(envelope, routes.get(g.getKey()), g.getValue(), message, dequeued));
            }
            return Future.join(new ArrayList<Future<?>>(parts)).transform(x -> {
                List<Outcome> out = new ArrayList<>(recipients.size());
                List<String> keys = new ArrayList<>(groups.keySet());
                for (int i = 0; i < parts.size(); i++) {
                    Future<List<Outcome>> f = parts.get(i);
                    if (f.succeeded()) {
                        out.addAll(f.result());
                    } else {
                        for (RecipientStatus r : groups.get(keys.get(i))) {
                            out.add(new Outcome.Deferred(r.withStatus(EnhancedStatus.of(4, 3, 0),
                                    "delivery agent failure: " + f.cause(), "", "")));
                        }
                    }
                }
                return Future.succeededFuture(out);
            });
        });
    }

    private Future<List<Outcome>> dispatch(Envelope envelope, Route route, List<RecipientStatus> recipients,
                                           byte[] message, Instant dequeued) {
        return route.dispatch(new Route.Dispatch<>() {
            public Future<List<Outcome>> deliver(Route.Deliver d) {
                return smtp.deliver(envelope, d, recipients, message, dequeued);
            }

            public Future<List<Outcome>> bounce(Route.Bounce b) {
                return Future.succeededFuture(local(envelope, recipients, dequeued, "error",
                        RecipientResult.Status.BOUNCED, b.dsn(), b.text()));
            }

            public Future<List<Outcome>> defer(Route.Defer d) {
                return Future.succeededFuture(local(envelope, recipients, dequeued, "error",
                        RecipientResult.Status.DEFERRED, d.dsn(), d.text()));
            }

            public Future<List<Outcome>> discard(Route.Discard d) {
                return Future.succeededFuture(local(envelope, recipients, dequeued, "discard",
                        RecipientResult.Status.SENT, EnhancedStatus.of(2, 0, 0), d.text()));
            }
        });
    }

    private List<Outcome> local(Envelope envelope, List<RecipientStatus> recipients, Instant dequeued, String agent,
                                RecipientResult.Status kind, EnhancedStatus dsn, String text) {
        Logger log = Logger.getLogger(agent);
        Instant now = clock.instant();
        List<Outcome> out = new ArrayList<>(recipients.size());
        for (RecipientStatus r : recipients) {
            Outcome o = Outcome.of(kind, r.withStatus(dsn, text, "", ""));
            log.info(DeliveryLog.line(envelope.queueId(), o.result(), r.original(), "none",
                    Duration.between(envelope.arrival(), now),
                    DeliveryLog.Delays.of(envelope.arrival(), dequeued, now, Duration.ZERO, Duration.ZERO)));
            out.add(o);
        }
        return out;
    }
}

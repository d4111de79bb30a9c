package io.mxgate.verify.api;

import io.mxgate.core.address.AddressParser;
import io.mxgate.core.address.MailAddress;
import io.mxgate.core.verify.VerifyAnswer;
import io.mxgate.verify.VerifyService;
import io.mxgate.verify.cache.VerifyCache;
import io.mxgate.verify.cache.VerifyEntry;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.Map;

/**
 * The verifier's HTTP API on the management port. {@code GET /v1/verify/{address}} is what smtp-ingress asks;
 * the {@code /v1/verify-cache} routes are the admin's {@code postmap -s} / {@code postmap -d} on the verify map
 * ({@code ./mxgate verify list|show|delete|flush} calls them).
 */
@ApplicationScoped
public class VerifyRoutes {

    private final VerifyService service;
    private final VerifyCache cache;

    VerifyRoutes(VerifyService service, VerifyCache cache) {
        this.service = service;
        this.cache = cache;
    }

    void routes(@Observes Router router) {
        router.get("/v1/verify/:address").handler(this::verify);
        router.get("/v1/verify-cache").handler(this::list);
        router.get("/v1/verify-cache/:address").handler(this::show);
        router.delete("/v1/verify-cache/:address").handler(this::delete);
        router.delete("/v1/verify-cache").handler(this::flush);
    }

    private void verify(RoutingContext rc) {
        MailAddress address = address(rc);
        if (address == null) {
            return;
        }
        service.verify(address).subscribe().with(
                answer -> json(rc, 200, toJson(answer)),
                failure -> json(rc, 503, new JsonObject().put("error", failure.toString())));
    }

    private void list(RoutingContext rc) {
        long now = System.currentTimeMillis();
        cache.list().collect().asList().subscribe().with(entries -> {
            JsonArray out = new JsonArray();
            for (Map.Entry<String, VerifyEntry> e : entries) {
                out.add(toJson(e.getKey(), e.getValue(), now));
            }
            json(rc, 200, new JsonObject().put("entries", out));
        }, failure -> json(rc, 503, new JsonObject().put("error", failure.toString())));
    }

    private void show(RoutingContext rc) {
        MailAddress address = address(rc);
        if (address == null) {
            return;
        }
        cache.get(address.toString()).subscribe().with(entry -> {
            if (entry == null) {
                json(rc, 404, new JsonObject().put("error", address + ": not in the verify cache"));
            } else {
                json(rc, 200, toJson(address.toString(), entry, System.currentTimeMillis()));
            }
        }, failure -> json(rc, 503, new JsonObject().put("error", failure.toString())));
    }

    private void delete(RoutingContext rc) {
        MailAddress address = address(rc);
        if (address == null) {
            return;
        }
        cache.delete(address.toString()).subscribe().with(
                deleted -> json(rc, deleted ? 200 : 404, new JsonObject().put("deleted", deleted ? 1 : 0)),
                failure -> json(rc, 503, new JsonObject().put("error", failure.toString())));
    }

    private void flush(RoutingContext rc) {
        cache.flush().subscribe().with(n -> json(rc, 200, new JsonObject().put("deleted", n)),
                failure -> json(rc, 503, new JsonObject().put("error", failure.toString())));
    }

    private static MailAddress address(RoutingContext rc) {
        MailAddress a = AddressParser.parseMailbox(rc.pathParam("address"));
        if (a == null) {
            json(rc, 400, new JsonObject().put("error", "not an address: " + rc.pathParam("address")));
        }
        return a;
    }

    private static JsonObject toJson(VerifyAnswer a) {
        return new JsonObject().put("status", a.status().name()).put("text", a.text()).put("cached", a.cached());
    }

    private static JsonObject toJson(String address, VerifyEntry e, long now) {
        return new JsonObject().put("address", address).put("status", e.status().name())
                .put("updated", e.updated()).put("age-seconds", e.updated() == 0 ? null : (now - e.updated()) / 1000)
                .put("probed", e.probed()).put("text", e.text());
    }

    private static void json(RoutingContext rc, int status, JsonObject body) {
        rc.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.encode());
    }
}

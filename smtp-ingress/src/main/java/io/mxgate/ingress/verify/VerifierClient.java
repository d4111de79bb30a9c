package io.mxgate.ingress.verify;

import io.mxgate.core.address.MailAddress;
import io.mxgate.core.verify.VerifyAnswer;
import io.mxgate.core.verify.VerifyStatus;
import io.mxgate.ingress.IngressConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Asks the verifier about one recipient over keep-alive HTTP; any failure is a failed future. Positive answers are
 * kept in this replica for {@code mxgate.verifier-cache-time}: the verify map already says "deliverable" for days
 * (address_verify_positive_expire_time), and most RCPTs of a busy MX are the same few thousand addresses, so the
 * hop to the verifier and Redis is saved where it cannot change the answer in practice. Negative and pending
 * answers are never kept here, so their refresh rules stay the verifier's.
 */
@ApplicationScoped
public class VerifierClient {

    /** Beyond this many addresses the local cache is emptied rather than grown. */
    private static final int MAX_CACHED = 100_000;

    private record Cached(VerifyAnswer answer, long expires) {
    }

    private final java.util.concurrent.ConcurrentHashMap<String, Cached> deliverable =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final long cacheNanos;
    private final HttpClient http;
    private final String host;
    private final int port;
    private final long timeoutMillis;

    VerifierClient(IngressConfig config, Vertx vertx) {
        URI uri = URI.create(config.verifierUrl());
        this.host = uri.getHost();
        this.port = uri.getPort() > 0 ? uri.getPort() : 80;
        this.timeoutMillis = config.verifierTimeout().toMillis();
        this.cacheNanos = config.verifierCacheTime().toNanos();
        this.http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true),
                new PoolOptions().setHttp1MaxSize(50));
    }

    /** Where the verifier is asked, for log lines. */
    public String endpoint() {
        return host + ":" + port;
    }

    public Future<VerifyAnswer> verify(MailAddress recipient) {
        String key = recipient.toString();
        Cached cached = deliverable.get(key);
        if (cached != null && cached.expires() - System.nanoTime() > 0) {
            return Future.succeededFuture(cached.answer());
        }
        return ask(recipient).onSuccess(answer -> {
            if (answer.status() == VerifyStatus.OK && cacheNanos > 0) {
                if (deliverable.size() >= MAX_CACHED) {
                    deliverable.clear();
                }
                deliverable.put(key, new Cached(answer, System.nanoTime() + cacheNanos));
            }
        });
    }

    private Future<VerifyAnswer> ask(MailAddress recipient) {
        RequestOptions request = new RequestOptions().setMethod(HttpMethod.GET).setHost(host).setPort(port)
                .setURI("/v1/verify/" + URLEncoder.encode(recipient.toString(), StandardCharsets.UTF_8))
                .setTimeout(timeoutMillis);
        return http.request(request)
                .compose(r -> r.send())
                .compose(response -> response.body().compose(body -> {
                    if (response.statusCode() != 200) {
                        return Future.failedFuture("verifier answered HTTP " + response.statusCode() + ": " + body);
                    }
                    JsonObject json = body.toJsonObject();
                    return Future.succeededFuture(new VerifyAnswer(VerifyStatus.valueOf(json.getString("status")),
                            json.getString("text", ""), json.getBoolean("cached", false)));
                }));
    }
}

package io.mxgate.ingress.restriction;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * A client of one Postfix policy server ({@code check_policy_service inet:host:port}, SMTPD_POLICY_README): name=value
 * lines ended by an empty line each way, on persistent connections that are reused until idle or old
 * ({@code smtpd_policy_service_max_idle}, {@code _max_ttl}). A request that times out or breaks is tried again on
 * a new connection up to {@code smtpd_policy_service_try_limit} times; then the caller applies the default action.
 */
public final class PolicyClient {

    /** Postfix's smtpd_policy_service_* settings. */
    public record Settings(Duration timeout, Duration maxIdle, Duration maxTtl, int tryLimit, Duration retryDelay) {
    }

    private static final int MAX_RESPONSE = 8192;

    private final class Connection {
        final NetSocket socket;
        final long opened = System.nanoTime();
        long lastUsed = System.nanoTime();
        Buffer pending = Buffer.buffer();
        Promise<Map<String, String>> waiting;
        boolean broken;

        Connection(NetSocket socket) {
            this.socket = socket;
            socket.handler(this::onData);
            socket.closeHandler(v -> fail("connection closed by policy server"));
            socket.exceptionHandler(e -> fail(e.toString()));
        }

        void onData(Buffer data) {
            pending.appendBuffer(data);
            String text = pending.toString(StandardCharsets.UTF_8);
            int end = text.indexOf("\n\n");
            if (end < 0) {
                if (pending.length() > MAX_RESPONSE) {
                    fail("policy server response longer than " + MAX_RESPONSE + " bytes");
                }
                return;
            }
            Map<String, String> attributes = new LinkedHashMap<>();
            for (String line : text.substring(0, end).split("\n")) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    attributes.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
            pending = Buffer.buffer();
            Promise<Map<String, String>> p = waiting;
            waiting = null;
            if (p != null) {
                p.tryComplete(attributes);
            }
        }

        void fail(String why) {
            broken = true;
            Promise<Map<String, String>> p = waiting;
            waiting = null;
            if (p != null) {
                p.tryFail(why);
            }
            socket.close();
        }
    }

    private final Vertx vertx;
    private final NetClient netClient;
    private final String host;
    private final int port;
    private final Settings settings;
    private final ConcurrentLinkedDeque<Connection> idle = new ConcurrentLinkedDeque<>();

    public PolicyClient(Vertx vertx, String host, int port, Settings settings) {
        this.vertx = vertx;
        this.host = host;
        this.port = port;
        this.settings = settings;
        this.netClient = vertx.createNetClient(new NetClientOptions()
                .setConnectTimeout((int) settings.timeout().toMillis()));
    }

    public String endpoint() {
        return "inet:" + host + ":" + port;
    }

    /** Sends one request; the result is the server's attributes (action=...), or a failure after the try limit. */
    public Future<Map<String, String>> ask(Map<String, String> request) {
        return attempt(request, 1);
    }

    private Future<Map<String, String>> attempt(Map<String, String> request, int attempt) {
        return connection().compose(c -> send(c, request)).recover(e -> {
            if (attempt >= settings.tryLimit()) {
                return Future.failedFuture(e);
            }
            Promise<Void> delay = Promise.promise();
            vertx.setTimer(Math.max(1, settings.retryDelay().toMillis()), id -> delay.complete());
            return delay.future().compose(v -> attempt(request, attempt + 1));
        });
    }

    private Future<Connection> connection() {
        long now = System.nanoTime();
        Connection c;
        while ((c = idle.pollFirst()) != null) {
            if (!c.broken && now - c.lastUsed < settings.maxIdle().toNanos() && now - c.opened < settings.maxTtl().toNanos()) {
                return Future.succeededFuture(c);
            }
            c.socket.close();
        }
        return netClient.connect(port, host).map(Connection::new);
    }

    private Future<Map<String, String>> send(Connection c, Map<String, String> request) {
        Promise<Map<String, String>> p = Promise.promise();
        c.waiting = p;
        StringBuilder sb = new StringBuilder(256);
        request.forEach((k, v) -> sb.append(k).append('=').append(v.replace('\n', ' ')).append('\n'));
        sb.append('\n');
        c.socket.write(sb.toString());
        long timer = vertx.setTimer(settings.timeout().toMillis(), id -> c.fail("policy server timeout"));
        return p.future().onComplete(ar -> {
            vertx.cancelTimer(timer);
            if (ar.succeeded() && !c.broken) {
                c.lastUsed = System.nanoTime();
                idle.addFirst(c);
            }
        });
    }

    public void close() {
        Connection c;
        while ((c = idle.pollFirst()) != null) {
            c.socket.close();
        }
        netClient.close();
    }
}

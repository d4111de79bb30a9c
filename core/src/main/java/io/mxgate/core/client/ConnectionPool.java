package io.mxgate.core.client;

import io.mxgate.core.transport.NextHop;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;

import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.function.Function;

/**
 * Open connections to one next hop, kept for reuse like Postfix's connection cache: a connection returns here after
 * a clean transaction and is closed when it has idled longer than the cache time limit. Used by LMTP delivery and
 * by address probes.
 */
public final class ConnectionPool {

    private record Idle(ClientConnection connection, long since) {
    }

    private final Vertx vertx;
    private final NetClient netClient;
    private final NextHop nextHop;
    private final ClientProtocol protocol;
    private final ClientTimeouts timeouts;
    private final String heloName;
    private final long maxIdleNanos;
    private final ConcurrentLinkedDeque<Idle> idle = new ConcurrentLinkedDeque<>();

    public ConnectionPool(Vertx vertx, NextHop nextHop, ClientTimeouts timeouts, String heloName, Duration maxIdle) {
        this.vertx = vertx;
        this.netClient = vertx.createNetClient(new NetClientOptions()
                .setConnectTimeout((int) timeouts.connect().toMillis())
                .setTcpNoDelay(true));
        this.nextHop = nextHop;
        this.protocol = nextHop.transport().equals("lmtp") ? ClientProtocol.LMTP : ClientProtocol.SMTP;
        this.timeouts = timeouts;
        this.heloName = heloName;
        this.maxIdleNanos = maxIdle.toNanos();
    }

    /**
     * Runs one conversation step on a pooled connection and returns the connection afterwards. When a cached
     * connection turns out to have been closed by the server while it idled (it fails right at MAIL), the work is
     * tried once more on a new connection, as Postfix does. Failures are {@link ClientException}s.
     */
    public <T> Future<T> run(Function<ClientConnection, Future<T>> work) {
        return acquire().compose(lease -> attempt(lease.connection(), work).recover(e -> {
            if (lease.reused() && e instanceof ClientException c && c.state() == ClientState.MAIL
                    && c.kind() != ClientException.Kind.TIMEOUT) {
                return openNew().compose(fresh -> attempt(fresh.connection(), work));
            }
            return Future.failedFuture(e);
        }));
    }

    private <T> Future<T> attempt(ClientConnection connection, Function<ClientConnection, Future<T>> work) {
        return work.apply(connection).onComplete(ar -> release(connection));
    }

    /** A cached connection if a fresh one is idle, else a new one; {@code reused} tells which. */
    private Future<Lease> acquire() {
        long now = System.nanoTime();
        Idle i;
        while ((i = idle.pollFirst()) != null) {
            if (now - i.since() < maxIdleNanos && i.connection().isReusable()) {
                return Future.succeededFuture(new Lease(i.connection(), true));
            }
            i.connection().quit();
        }
        return openNew();
    }

    private Future<Lease> openNew() {
        return ClientConnection.open(vertx, netClient, protocol, timeouts, heloName, nextHop.host(),
                nextHop.port()).map(c -> new Lease(c, false));
    }

    /** Returns a connection after use; a broken one is closed instead. */
    private void release(ClientConnection connection) {
        if (connection.isReusable()) {
            idle.addFirst(new Idle(connection, System.nanoTime()));
        } else {
            connection.close();
        }
    }

    public void close() {
        Idle i;
        while ((i = idle.pollFirst()) != null) {
            i.connection().quit();
        }
        netClient.close();
    }

    /** A connection on loan; {@code reused} is true when it served an earlier transaction. */
    private record Lease(ClientConnection connection, boolean reused) {
    }
}

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
    private final boolean ownsNetClient;
    private final ClientProtocol protocol;
    private final String name;
    private final String address;
    private final int port;
    private final TlsRequirement tls;
    private final ClientTimeouts timeouts;
    private final String heloName;
    private final long maxIdleNanos;
    private final ConcurrentLinkedDeque<Idle> idle = new ConcurrentLinkedDeque<>();
    private volatile long lastUsed = System.nanoTime();
    private volatile boolean closed;

    public ConnectionPool(Vertx vertx, NextHop nextHop, ClientTimeouts timeouts, String heloName, Duration maxIdle) {
        this(vertx, vertx.createNetClient(new NetClientOptions()
                        .setConnectTimeout((int) timeouts.connect().toMillis())
                        .setTcpNoDelay(true)), true,
                nextHop.transport().equals("lmtp") ? ClientProtocol.LMTP : ClientProtocol.SMTP,
                nextHop.host(), nextHop.host(), nextHop.port(), TlsRequirement.NONE, timeouts, heloName, maxIdle);
    }

    /**
     * A pool for one server endpoint on a NetClient shared with other pools (not closed by {@link #close}):
     * connections go to {@code address} (a name or an IP address) and logs call the server {@code name}.
     */
    public ConnectionPool(Vertx vertx, NetClient netClient, ClientProtocol protocol, String name, String address,
                          int port, TlsRequirement tls, ClientTimeouts timeouts, String heloName, Duration maxIdle) {
        this(vertx, netClient, false, protocol, name, address, port, tls, timeouts, heloName, maxIdle);
    }

    private ConnectionPool(Vertx vertx, NetClient netClient, boolean ownsNetClient, ClientProtocol protocol,
                           String name, String address, int port, TlsRequirement tls, ClientTimeouts timeouts,
                           String heloName, Duration maxIdle) {
        this.vertx = vertx;
        this.netClient = netClient;
        this.ownsNetClient = ownsNetClient;
        this.protocol = protocol;
        this.name = name;
        this.address = address;
        this.port = port;
        this.tls = tls;
        this.timeouts = timeouts;
        this.heloName = heloName;
        this.maxIdleNanos = maxIdle.toNanos();
    }

    /** When this pool last lent a connection ({@link System#nanoTime()}). */
    public long lastUsed() {
        return lastUsed;
    }

    /**
     * Runs one conversation step on a pooled connection and returns the connection afterwards. When a cached
     * connection turns out to have been closed by the server while it idled (it fails right at MAIL), the work is
     * tried once more on a new connection, as Postfix does. Failures are {@link ClientException}s.
     */
    public <T> Future<T> run(Function<ClientConnection, Future<T>> work) {
        lastUsed = System.nanoTime();
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
        return ClientConnection.open(vertx, netClient, protocol, timeouts, heloName, name, address, port, tls)
                .map(c -> new Lease(c, false));
    }

    /** Returns a connection after use; a broken one is closed instead. */
    private void release(ClientConnection connection) {
        if (connection.isReusable() && !closed) {
            idle.addFirst(new Idle(connection, System.nanoTime()));
        } else {
            connection.close();
        }
    }

    public void close() {
        closed = true;
        Idle i;
        while ((i = idle.pollFirst()) != null) {
            i.connection().quit();
        }
        if (ownsNetClient) {
            netClient.close();
        }
    }

    /** A connection on loan; {@code reused} is true when it served an earlier transaction. */
    private record Lease(ClientConnection connection, boolean reused) {
    }
}

package io.mxgate.delivery.lmtp;

import io.mxgate.core.client.ClientConnection;
import io.mxgate.core.client.ClientProtocol;
import io.mxgate.core.client.ClientTimeouts;
import io.mxgate.core.transport.NextHop;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;

import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * Open LMTP connections to the one backend, kept for reuse like Postfix's connection cache: a connection returns
 * here after a clean transaction and is closed when it has idled longer than the cache time limit.
 */
public final class LmtpConnectionPool {

    private record Idle(ClientConnection connection, long since) {
    }

    private final Vertx vertx;
    private final NetClient netClient;
    private final NextHop nextHop;
    private final ClientTimeouts timeouts;
    private final String heloName;
    private final long maxIdleNanos;
    private final ConcurrentLinkedDeque<Idle> idle = new ConcurrentLinkedDeque<>();

    public LmtpConnectionPool(Vertx vertx, NextHop nextHop, ClientTimeouts timeouts, String heloName,
                              Duration maxIdle) {
        this.vertx = vertx;
        this.netClient = vertx.createNetClient(new NetClientOptions()
                .setConnectTimeout((int) timeouts.connect().toMillis())
                .setTcpNoDelay(true));
        this.nextHop = nextHop;
        this.timeouts = timeouts;
        this.heloName = heloName;
        this.maxIdleNanos = maxIdle.toNanos();
    }

    /** A cached connection if a fresh one is idle, else a new one; {@code reused} tells which. */
    public Future<Lease> acquire() {
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

    public Future<Lease> openNew() {
        return ClientConnection.open(vertx, netClient, ClientProtocol.LMTP, timeouts, heloName, nextHop.host(),
                nextHop.port()).map(c -> new Lease(c, false));
    }

    /** Returns a connection after use; a broken one is closed instead. */
    public void release(ClientConnection connection) {
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
    public record Lease(ClientConnection connection, boolean reused) {
    }
}

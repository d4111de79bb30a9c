package io.mxgate.core.client;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Connection caches for many server endpoints (every MX host a relay ever talks to), as Postfix's scache keeps
 * one per {@code host[address]:port}. One NetClient per protocol is shared (each with its protocol's connect
 * timeout, and trust settings that allow STARTTLS); a pool that has not been used for longer than the idle limit
 * is closed by {@link #sweep}, so the map does not grow with every destination ever seen.
 */
public final class ConnectionPools {

    /** One server endpoint as the pools key it. */
    public record Endpoint(ClientProtocol protocol, String name, String address, int port, TlsRequirement tls) {

        /** {@code name[address]:port}. */
        @Override
        public String toString() {
            return name + "[" + address + "]:" + port;
        }
    }

    private final Vertx vertx;
    private final Map<ClientProtocol, ClientTimeouts> timeouts;
    private final Map<ClientProtocol, NetClient> netClients;
    private final String heloName;
    private final Duration maxIdle;
    private final Map<Endpoint, ConnectionPool> pools = new ConcurrentHashMap<>();

    public ConnectionPools(Vertx vertx, ClientTimeouts smtpTimeouts, ClientTimeouts lmtpTimeouts, String heloName,
                           Duration maxIdle) {
        this.vertx = vertx;
        this.timeouts = Map.of(ClientProtocol.SMTP, smtpTimeouts, ClientProtocol.LMTP, lmtpTimeouts);
        this.netClients = Map.of(
                ClientProtocol.SMTP, vertx.createNetClient(ClientConnection.netClientOptions(smtpTimeouts)),
                ClientProtocol.LMTP, vertx.createNetClient(ClientConnection.netClientOptions(lmtpTimeouts)));
        this.heloName = heloName;
        this.maxIdle = maxIdle;
    }

    public ConnectionPool get(Endpoint endpoint) {
        return pools.computeIfAbsent(endpoint, e -> new ConnectionPool(vertx, netClients.get(e.protocol()),
                e.protocol(), e.name(), e.address(), e.port(), e.tls(), timeouts.get(e.protocol()), heloName, maxIdle));
    }

    /** Closes the pools nobody used for longer than the idle limit (call it every few seconds). */
    public void sweep() {
        long now = System.nanoTime();
        pools.entrySet().removeIf(e -> {
            if (now - e.getValue().lastUsed() > maxIdle.toNanos() * 2) {
                e.getValue().close();
                return true;
            }
            return false;
        });
    }

    public void close() {
        pools.values().forEach(ConnectionPool::close);
        pools.clear();
        netClients.values().forEach(NetClient::close);
    }
}

package io.mxgate.testkit;

import java.nio.file.Path;

/**
 * A real HAProxy on a free 127.0.0.1 port that forwards every connection to {@code backendPort} with a PROXY v2
 * header (dev/haproxy.sh), as the cloud load balancer in front of smtp-ingress's PROXY listener does. Close it to
 * stop it by its PID.
 */
public final class HaProxy implements AutoCloseable {

    private final Path dir;
    private final int port = Ports.free();

    private HaProxy(Path dir, int backendPort) {
        this.dir = dir;
        Script.run("haproxy.sh", "start", dir, port, backendPort);
    }

    /** Starts HAProxy with its configuration, PID file and log in {@code dir}. */
    public static HaProxy start(Path dir, int backendPort) {
        return new HaProxy(dir, backendPort);
    }

    /** Where clients connect. */
    public int port() {
        return port;
    }

    @Override
    public void close() {
        Script.run("haproxy.sh", "stop", dir);
    }
}

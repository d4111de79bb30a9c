package io.mxgate.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Free TCP ports on 127.0.0.1, so a test stack never collides with `./mxgate up` or another stack. */
public final class Ports {

    private Ports() {
    }

    /** Below Linux's ephemeral range (32768-60999), so no outgoing connection can take the port meanwhile. */
    private static final int FIRST = 20_000;
    private static final int LAST = 32_000;

    /** Ports handed out before: a port is free until its user binds it, so never hand one out twice. */
    private static final java.util.Set<Integer> GIVEN = new java.util.HashSet<>();

    public static synchronized int free() {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 1000; attempt++) {
            int port = random.nextInt(FIRST, LAST);
            if (!GIVEN.add(port)) {
                continue;
            }
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                return port;
            } catch (IOException e) {
                // taken; try another
            }
        }
        throw new UncheckedIOException(new IOException("no free port in " + FIRST + "-" + LAST));
    }
}

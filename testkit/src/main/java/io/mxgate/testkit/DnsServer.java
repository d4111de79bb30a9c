package io.mxgate.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A private dnsmasq on 127.0.0.1 answering only from records in dnsmasq's own syntax ({@code mx-host=},
 * {@code host-record=}, {@code address=}, {@code txt-record=}), through dev/dnsmasq.sh; services use it as
 * {@code MXGATE_DNS_RESOLVER}.
 */
public final class DnsServer implements AutoCloseable {

    private final Path dir;
    private final int port;

    private DnsServer(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    public static DnsServer start(Path dir, List<String> records) {
        int port = Ports.free();
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("records"), String.join("\n", records) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Script.run("dnsmasq.sh", "start", dir, port, dir.resolve("records"));
        return new DnsServer(dir, port);
    }

    public int port() {
        return port;
    }

    /** {@code 127.0.0.1:port}, the value of {@code MXGATE_DNS_RESOLVER}. */
    public String resolver() {
        return "127.0.0.1:" + port;
    }

    @Override
    public void close() {
        Script.run("dnsmasq.sh", "stop", dir);
    }
}

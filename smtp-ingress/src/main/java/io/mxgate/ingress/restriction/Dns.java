package io.mxgate.ingress.restriction;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.dns.DnsClient;
import io.vertx.core.dns.DnsClientOptions;
import io.vertx.core.dns.DnsException;
import io.vertx.core.dns.DnsResponseCode;
import io.vertx.core.dns.MxRecord;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Non-blocking DNS for restrictions (never the JDK resolver on an event loop). NXDOMAIN and "no data" are an
 * empty answer; anything else that goes wrong (timeout, SERVFAIL) is a failed future, which restrictions turn into a
 * temporary failure, never into an accept.
 */
public final class Dns {

    private final DnsClient client;

    public Dns(Vertx vertx, String resolver, long timeoutMillis) {
        String hostPort = resolver == null || resolver.isBlank() ? systemResolver() : resolver;
        int colon = hostPort.lastIndexOf(':');
        boolean hasPort = colon > 0 && hostPort.indexOf(':') == colon;
        String host = hasPort ? hostPort.substring(0, colon) : hostPort;
        int port = hasPort ? Integer.parseInt(hostPort.substring(colon + 1)) : 53;
        this.client = vertx.createDnsClient(new DnsClientOptions().setHost(host).setPort(port)
                .setQueryTimeout(timeoutMillis).setRecursionDesired(true));
    }

    /** The first nameserver of /etc/resolv.conf (read once, at startup). */
    private static String systemResolver() {
        try {
            for (String line : Files.readAllLines(Path.of("/etc/resolv.conf"))) {
                String[] words = line.strip().split("\\s+");
                if (words.length >= 2 && words[0].equals("nameserver")) {
                    return words[1];
                }
            }
        } catch (IOException e) {
            // fall through
        }
        return "127.0.0.1";
    }

    public Future<List<String>> a(String name) {
        return emptyOnNoData(client.resolveA(name));
    }

    public Future<List<String>> txt(String name) {
        return emptyOnNoData(client.resolveTXT(name));
    }

    public Future<List<MxRecord>> mx(String name) {
        return emptyOnNoData(client.resolveMX(name));
    }

    /** The PTR name of an address, or null. */
    public Future<String> ptr(String address) {
        return client.reverseLookup(address).recover(e -> noData(e) ? Future.succeededFuture(null) : Future.failedFuture(e));
    }

    private static <T> Future<List<T>> emptyOnNoData(Future<List<T>> f) {
        return f.map(l -> l == null ? List.<T>of() : l)
                .recover(e -> noData(e) ? Future.succeededFuture(List.of()) : Future.failedFuture(e));
    }

    private static boolean noData(Throwable e) {
        return e instanceof DnsException d && d.code() == DnsResponseCode.NXDOMAIN;
    }

    public void close() {
        client.close();
    }
}

package io.mxgate.core.dns;

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
import java.time.Duration;
import java.util.List;

/**
 * MX, A, AAAA, TXT and PTR queries over Vert.x's DNS client. Every answer is an {@link Answer}: records (possibly none: the name
 * exists without records of the type), {@link Answer.Status#NOT_FOUND} (NXDOMAIN), or
 * {@link Answer.Status#TRY_AGAIN} (timeout, SERVFAIL, refused, anything else), never a failed future.
 */
public final class Dns {

    /** A query's outcome. */
    public record Answer<T>(Status status, List<T> records, String detail) {

        public enum Status { OK, NOT_FOUND, TRY_AGAIN }

        static <T> Answer<T> ok(List<T> records) {
            return new Answer<>(Status.OK, records == null ? List.of() : List.copyOf(records), "");
        }
    }

    private final DnsClient client;
    private final String server;

    /** {@code resolver} is {@code host[:port]}; null or blank means the first nameserver of /etc/resolv.conf. */
    public Dns(Vertx vertx, String resolver, Duration timeout) {
        String hostPort = resolver == null || resolver.isBlank() ? systemResolver() : resolver.strip();
        int colon = hostPort.lastIndexOf(':');
        boolean hasPort = colon > 0 && hostPort.indexOf(':') == colon;
        String host = hasPort ? hostPort.substring(0, colon) : hostPort;
        int port = hasPort ? Integer.parseInt(hostPort.substring(colon + 1)) : 53;
        this.server = host + ":" + port;
        this.client = vertx.createDnsClient(new DnsClientOptions().setHost(host).setPort(port)
                .setQueryTimeout(timeout.toMillis()).setRecursionDesired(true));
    }

    /** The first nameserver of /etc/resolv.conf (read once, when the client is made). */
    static String systemResolver() {
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

    /** {@code host:port} of the server asked. */
    public String server() {
        return server;
    }

    public Future<Answer<MxRecord>> mx(String name) {
        return answer(client.resolveMX(name));
    }

    public Future<Answer<String>> a(String name) {
        return answer(client.resolveA(name));
    }

    /** AAAA records, each in RFC 5952's short form ({@code 2001:db8::6}, {@code ::1}), as Postfix logs them. */
    public Future<Answer<String>> aaaa(String name) {
        return answer(client.resolveAAAA(name).map(list -> list == null ? null
                : list.stream().map(InetProtocols::printable).toList()));
    }

    public Future<Answer<String>> txt(String name) {
        return answer(client.resolveTXT(name));
    }

    /** The name of an address's PTR record (at most one record). */
    public Future<Answer<String>> ptr(String address) {
        return answer(client.reverseLookup(address).map(name -> name == null ? List.<String>of() : List.of(name)));
    }

    /**
     * The records of an answer, none for {@link Answer.Status#NOT_FOUND}, and a failed future for
     * {@link Answer.Status#TRY_AGAIN}: for restrictions, which must answer a lookup failure with 4xx, never accept.
     */
    public static <T> Future<List<T>> recordsOrFail(Answer<T> answer) {
        return answer.status() == Answer.Status.TRY_AGAIN
                ? Future.failedFuture(answer.detail()) : Future.succeededFuture(answer.records());
    }

    private static <T> Future<Answer<T>> answer(Future<List<T>> query) {
        return query.map(Answer::ok).recover(e -> Future.succeededFuture(
                e instanceof DnsException d && d.code() == DnsResponseCode.NXDOMAIN
                        ? new Answer<>(Answer.Status.NOT_FOUND, List.of(), "Host not found")
                        : new Answer<>(Answer.Status.TRY_AGAIN, List.of(), "Host not found, try again")));
    }

    public void close() {
        client.close();
    }
}

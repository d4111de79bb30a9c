package io.mxgate.system;

import io.mxgate.testkit.Script;
import io.mxgate.testkit.Stack;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/** queue-worker's queue tools as an admin uses them: {@code ./mxgate queue ...}, and the HTTP API behind it. */
final class QueueTool {

    private QueueTool() {
    }

    /** {@code ./mxgate queue args...} against this stack's queue-worker; its standard output. */
    static String cli(Stack stack, String... args) {
        List<String> command = new ArrayList<>(List.of(Script.root().resolve("mxgate").toString(), "queue"));
        command.addAll(List.of(args));
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
            pb.environment().put("MXGATE_QUEUE_URL", "http://127.0.0.1:" + stack.httpPort("queue-worker"));
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new AssertionError(String.join(" ", command) + " failed:\n" + out);
            }
            return out;
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** GET a path of the service's HTTP port (HTTP/1.1, 10 s at most); the body, or "" when it failed. */
    static String get(Stack stack, String service, String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + stack.httpPort(service) + path))
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** GET /v1/queue (JSON). */
    static String json(Stack stack) {
        return get(stack, "queue-worker", "/v1/queue?limit=100000");
    }

    /** How many times {@code text} occurs in {@code s}. */
    static int count(String s, String text) {
        return (int) Pattern.compile(Pattern.quote(text)).matcher(s).results().count();
    }

    /** Messages in the queue, from the API. */
    static int messages(Stack stack) {
        return count(json(stack), "\"sender\":");
    }

    /** The queue id in "250 2.0.0 Ok: queued as ID". */
    static String queueId(String reply) {
        return reply.substring(reply.lastIndexOf(' ') + 1).strip();
    }

    /** Removes a test's scratch directory (sink mail, tables, DNS records). */
    static void delete(java.nio.file.Path dir) {
        if (dir == null || !java.nio.file.Files.exists(dir)) {
            return;
        }
        try (var walk = java.nio.file.Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort
        }
    }
}

package io.mxgate.system;

import com.marcnuri.helm.Helm;
import io.mxgate.testkit.Script;
import io.mxgate.testkit.SmtpDialogue;
import io.mxgate.testkit.Stack;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * ContainersTest -- the four services as the Helm chart's pods under podman (issue 18), in front of a real Kafka,
 * Redis and Dovecot on the host ({@link Stack#backends}).
 *
 * <p>Once per class: the images are built from the Containerfile by dev/images.sh (podman, a base made from
 * Debian's packages, both cached), the chart is rendered by Helm (helm-java) with ci/podman-values.yaml and this
 * stack's free ports, and dev/kube.sh plays it with {@code podman kube play} and waits until every service is
 * ready. Then, as a stranger (127.0.0.1 is outside the empty mynetworks, no AUTH): a mail sent with swaks reaches
 * alice's Maildir; every container runs as uid 185 with no capabilities on a read-only root filesystem with a
 * writable /tmp, under the 256 MiB limit its heap is sized from; liveness and readiness answer; a changed ConfigMap
 * played again reaches the running pods and the service reloads the table without a restart, as values.yaml says;
 * and {@code dev/kube.sh down} (SIGTERM, then the grace period) drains the ingress with 421 and loses none of the
 * mail it accepted, which the pods deliver once played again.
 *
 * <p>Podman is installed by dev/install.sh @containers, which ./mxgate test runs: without it this class fails.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ContainersTest {

    static final Path ROOT = Script.root();
    static final Path CHART = ROOT.resolve("helm/mxgate");
    /** values key -> service (and container) name. */
    static final Map<String, String> COMPONENTS = new LinkedHashMap<>(Map.of());
    static final Pattern QUEUED = SmtpDialogueTest.QUEUED;
    static final long LIMIT = 256L * 1024 * 1024;

    static {
        COMPONENTS.put("smtpIngress", "smtp-ingress");
        COMPONENTS.put("verifier", "verifier");
        COMPONENTS.put("queueWorker", "queue-worker");
        COMPONENTS.put("lmtpDelivery", "lmtp-delivery");
    }

    static Stack stack;
    static Path manifest;
    static boolean played;

    @BeforeAll
    static void playTheChart() throws IOException {
        assertTrue(onPath("podman"), "podman is not installed: dev/install.sh @containers installs it (./mxgate test "
                + "runs it); this test does not skip without it");
        long t0 = System.nanoTime();
        System.out.println(Script.run("images.sh"));
        System.out.printf("containers: images built or found in %d s%n", seconds(t0));
        stack = Stack.backends(Map.of());
        manifest = stack.dir().resolve("mxgate.yaml");
        Files.writeString(manifest, render("recipient_access: |\n    postmaster@example.test  OK\n"));
        t0 = System.nanoTime();
        played = true;
        System.out.println(Script.run("kube.sh", "play", manifest));
        System.out.printf("containers: four pods ready %d s after kube play%n", seconds(t0));
    }

    @AfterAll
    static void stopEverything() {
        try {
            if (played) {
                Script.run("kube.sh", "down", manifest);
            }
        } finally {
            if (stack != null) {
                stack.close();
            }
        }
    }

    @Test
    @Order(1)
    void mailFromAStrangerReachesAlicesMaildir() throws Exception {
        String tag = UUID.randomUUID().toString();
        Process swaks = new ProcessBuilder("swaks", "--server", "127.0.0.1:" + stack.smtpPort(), "--from",
                "sender@remote.test", "--to", "alice@example.test", "--header", "Subject: " + tag,
                "--body", "hello from a stranger").redirectErrorStream(true).start();
        String out = new String(swaks.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(swaks.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, swaks.exitValue(), out);
        assertTrue(Pattern.compile("<-  250 2\\.0\\.0 Ok: queued as ").matcher(out).find(), out);
        assertTrue(Stack.await(Duration.ofSeconds(30), () -> stack.messagesContaining("alice", tag).size() == 1),
                "delivered to alice's Maildir by the lmtp-delivery pod");
        assertTrue(stack.messagesContaining("alice", tag).get(0).contains("by mx.example.test (mxgate) with ESMTP id"));
    }

    @Test
    @Order(2)
    void everyContainerRunsAs185WithoutCapabilitiesOnAReadOnlyRootUnderItsLimit() {
        java.util.Set<String> tmpVolumes = new java.util.HashSet<>();
        for (String service : COMPONENTS.values()) {
            String c = container(service);
            // each pod's emptyDir /tmp is its own, as in Kubernetes
            String tmp = podman("inspect", "--format",
                    "{{range .Mounts}}{{if eq .Destination \"/tmp\"}}{{.Source}}{{end}}{{end}}", c).strip();
            assertFalse(tmp.isEmpty(), c + ": /tmp is a volume");
            assertTrue(tmpVolumes.add(tmp), c + ": /tmp shared with another pod: " + tmp);
            String status = procStatus(c);
            assertTrue(status.contains("\nUid:\t185\t185\t185\t185\n"), c + ": runAsUser 185\n" + status);
            assertTrue(status.contains("\nGid:\t185\t185\t185\t185\n"), c + ": runAsGroup 185\n" + status);
            assertTrue(status.contains("\nCapEff:\t0000000000000000\n"), c + ": capabilities dropped\n" + status);
            assertTrue(status.contains("\nNoNewPrivs:\t1\n"), c + ": allowPrivilegeEscalation false\n" + status);
            assertTrue(status.contains("\nSeccomp:\t2\n"), c + ": a seccomp filter (RuntimeDefault)\n" + status);
            assertEquals("true", podman("inspect", "--format", "{{.HostConfig.ReadonlyRootfs}}", c).strip(), c);
            // even root, who owns /deployments, cannot write there: the filesystem, not a permission, refuses
            Exec write = exec(c, "--user", "0", "touch", "/deployments/x");
            assertTrue(!write.ok() && write.output().contains("Read-only file system"), c + ": " + write);
            assertTrue(exec(c, "touch", "/tmp/x").ok(), c + ": /tmp (the emptyDir) is writable by 185");
            assertEquals(Long.toString(LIMIT), podman("inspect", "--format", "{{.HostConfig.Memory}}", c).strip(),
                    c + ": the chart's memory limit");
            long heap = heapMax(stack.httpPort(service));
            long rss = Long.parseLong(field(status, "VmRSS").replace(" kB", "").strip()) * 1024;
            System.out.printf("containers: %-14s RSS %d MiB, heap max %d MiB, limit %d MiB%n", service,
                    rss >> 20, heap >> 20, LIMIT >> 20);
            // MaxRAMPercentage=75 of the container's limit, not of the host's memory
            assertTrue(heap > LIMIT / 2 && heap <= LIMIT * 3 / 4, c + ": heap " + heap);
            assertTrue(rss < LIMIT, c + ": RSS " + rss);
        }
    }

    @Test
    @Order(3)
    void livenessAndReadinessAnswer() {
        for (String service : COMPONENTS.values()) {
            for (String probe : List.of("started", "live", "ready")) {
                HttpResponse<String> r = get(stack.httpPort(service), "/q/health/" + probe);
                assertEquals(200, r.statusCode(), service + " " + probe + ": " + r.body());
                assertTrue(r.body().contains("\"status\": \"UP\""), r.body());
            }
        }
    }

    /**
     * values.yaml, tables: "The services reload a table within seconds of a change, so editing this ConfigMap
     * restarts nothing." Played again, the changed ConfigMap reaches the running pods (dev/kube.sh writes it into
     * the ConfigMap's volume as the kubelet updates a mounted ConfigMap) and smtp-ingress refuses bob from then on.
     */
    @Test
    @Order(4)
    void aChangedConfigMapPlayedAgainTakesEffectWithoutARestart() throws IOException {
        String started = podman("inspect", "--format", "{{.State.StartedAt}}", container("smtp-ingress"));
        assertEquals("250 2.1.5 Ok", VerificationTest.rcpt(stack.smtpPort(), "bob@example.test"));
        Files.writeString(manifest, render("recipient_access: |\n    postmaster@example.test  OK\n"
                + "    bob@example.test  REJECT\n"));
        Script.run("kube.sh", "play", manifest);
        assertTrue(Stack.await(Duration.ofSeconds(20), () -> VerificationTest.rcpt(stack.smtpPort(), "bob@example.test")
                .equals("554 5.7.1 <bob@example.test>: Recipient address rejected: Access denied")));
        assertEquals("250 2.1.5 Ok", VerificationTest.rcpt(stack.smtpPort(), "alice@example.test"));
        assertEquals(started, podman("inspect", "--format", "{{.State.StartedAt}}", container("smtp-ingress")),
                "the pod kept running");
    }

    /**
     * dev/kube.sh down while clients send: SIGTERM to every pod, as Kubernetes does on a rollout or uninstall, and
     * SIGKILL only after terminationGracePeriodSeconds. The ingress closes its listener and answers an open session's
     * next command with 421 4.3.2; every reply is a 250, a 4xx or a closed connection; each 250'd message is in
     * Kafka and reaches alice once the pods are played again.
     */
    @Test
    @Order(5)
    void kubeDownDrainsTheIngressWith421AndLosesNothing() throws Exception {
        Map<String, String> replies = new ConcurrentHashMap<>();
        AtomicInteger started = new AtomicInteger();
        ExecutorService clients = Executors.newFixedThreadPool(4);
        for (int c = 0; c < 4; c++) {
            int client = c;
            clients.submit(() -> send(stack.smtpPort(), client, replies, started));
        }
        try (SmtpDialogue idle = SmtpDialogue.open(stack.smtpPort())) {
            idle.send("EHLO idle.test").expect("250 *");
            assertTrue(Stack.await(Duration.ofSeconds(30), () -> started.get() >= 20), "mail is flowing");
            CompletableFuture<String> down = CompletableFuture.supplyAsync(() -> Script.run("kube.sh", "down", manifest));
            assertTrue(Stack.await(Duration.ofSeconds(30), () -> !listening(stack.smtpPort())),
                    "the listener closes on SIGTERM");
            idle.send("MAIL FROM:<s@remote.test>").expect("421 4.3.2 *");
            System.out.println(down.get(120, TimeUnit.SECONDS));
            played = false;
        }
        // dev/kube.sh down keeps each container's log beside the manifest
        String log = Files.readString(manifest.resolveSibling("smtp-ingress.log"));
        assertTrue(log.contains("draining: "), log);
        clients.shutdown();
        assertTrue(clients.awaitTermination(60, TimeUnit.SECONDS));
        List<String> accepted = replies.entrySet().stream()
                .filter(e -> QUEUED.matcher(e.getValue()).matches()).map(Map.Entry::getKey).toList();
        System.out.printf("containers: drain: %d messages started, %d answered 250, %d refused or cut off%n",
                started.get(), accepted.size(), replies.size() - accepted.size());
        assertTrue(replies.values().stream().allMatch(r -> QUEUED.matcher(r).matches() || r.startsWith("4")
                || r.equals("closed")), "every reply is a 250, a 4xx or a closed connection: " + replies.values());
        assertFalse(accepted.isEmpty());

        Script.run("kube.sh", "play", manifest);
        played = true;
        assertTrue(Stack.await(Duration.ofSeconds(60), () -> accepted.stream()
                .allMatch(tag -> !stack.messagesContaining("alice", tag).isEmpty())), "every 250 is delivered");
    }

    // --- helpers ---------------------------------------------------------------------------------------------

    /**
     * The chart rendered by Helm with ci/podman-values.yaml, then this stack's ports and the images' tag, then
     * {@code tables} (the ConfigMap this test changes).
     */
    static String render(String tables) throws IOException {
        StringBuilder v = new StringBuilder();
        v.append("kafka:\n  bootstrapServers: \"").append(stack.bootstrapServers()).append("\"\n");
        v.append("redis:\n  url: \"").append(stack.setting("MXGATE_REDIS_URL")).append("\"\n");
        v.append("virtualTransport: \"").append(stack.setting("MXGATE_VIRTUAL_TRANSPORT")).append("\"\n");
        v.append("tables:\n  ").append(tables);
        v.append("hostNetwork:\n  httpPorts:\n");
        COMPONENTS.forEach((key, service) -> v.append("    ").append(key).append(": ").append(stack.httpPort(service))
                .append('\n'));
        COMPONENTS.forEach((key, service) -> {
            v.append(key).append(":\n  image:\n    tag: \"").append(version()).append("\"\n");
            if (key.equals("smtpIngress")) {
                v.append("  containerPort: ").append(stack.smtpPort()).append('\n');
            }
        });
        Path file = stack.dir().resolve("test-values.yaml");
        Files.writeString(file, v.toString());
        return new Helm(CHART).template().withName("mxgate").withNamespace("mail")
                .withValuesFile(CHART.resolve("ci/podman-values.yaml")).withValuesFile(file).call();
    }

    /** The project's version, the images' tag: the root pom's own version. */
    static String version() {
        try {
            Matcher m = Pattern.compile("(?m)^  <version>([^<]+)</version>$")
                    .matcher(Files.readString(ROOT.resolve("pom.xml")));
            assertTrue(m.find(), "no version in pom.xml");
            return m.group(1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** podman kube play's name of a Deployment's container: <deployment>-pod-0-<container>. */
    static String container(String service) {
        return "mxgate-" + service + "-pod-0-" + service;
    }

    static String podman(String... args) {
        return Script.run("podman.sh", (Object[]) args);
    }

    record Exec(int exit, String output) {
        boolean ok() {
            return exit == 0;
        }
    }

    /**
     * A command inside the container, as its user (or {@code "--user", "0", command...}); its exit status and
     * output, no assertion: some are meant to fail.
     */
    static Exec exec(String container, String... command) {
        List<String> args = new ArrayList<>(List.of(ROOT.resolve("dev/podman.sh").toString(), "exec"));
        List<String> rest = new ArrayList<>(List.of(command));
        if (rest.get(0).equals("--user")) {
            args.addAll(rest.subList(0, 2));
            rest = rest.subList(2, rest.size());
        }
        args.add(container);
        args.addAll(rest);
        try {
            Process p = new ProcessBuilder(args).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), String.join(" ", args));
            return new Exec(p.exitValue(), out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** /proc/PID/status of the container's main process (the JVM), seen from the host. */
    static String procStatus(String container) {
        String pid = podman("inspect", "--format", "{{.State.Pid}}", container).strip();
        try {
            return Files.readString(Path.of("/proc", pid, "status"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String field(String status, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + ":\\s*(.*)$").matcher(status);
        if (!m.find()) {
            fail("no " + name + " in\n" + status);
        }
        return m.group(1);
    }

    /** The JVM's largest heap, from the service's Micrometer metrics (jvm_memory_max_bytes of the heap pools). */
    static long heapMax(int httpPort) {
        String metrics = get(httpPort, "/q/metrics").body();
        Matcher m = Pattern.compile("(?m)^jvm_memory_max_bytes\\{[^}]*area=\"heap\"[^}]*} ([0-9.E+]+)$").matcher(metrics);
        long sum = 0;
        while (m.find()) {
            sum += (long) Double.parseDouble(m.group(1));
        }
        assertTrue(sum > 0, "no heap pools in /q/metrics");
        return sum;
    }

    static HttpResponse<String> get(int port, String path) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (ConnectException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    static boolean onPath(String program) {
        return java.util.Arrays.stream(System.getenv("PATH").split(":"))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, program)));
    }

    static long seconds(long t0) {
        return TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
    }

    /**
     * One client: messages back to back until the server answers anything but 250 or goes away; records each
     * message's final reply ("closed" when the connection went away first).
     */
    static void send(int port, int client, Map<String, String> replies, AtomicInteger started) {
        try (SmtpDialogue d = SmtpDialogue.open(port)) {
            if (!String.valueOf(d.send("EHLO client" + client + ".test").reply()).startsWith("250")) {
                return;
            }
            for (int n = 0; ; n++) {
                String tag = "pod-drain-" + client + "-" + n + "-";
                started.incrementAndGet();
                replies.put(tag, "closed");
                for (String command : List.of("MAIL FROM:<s@remote.test>", "RCPT TO:<alice@example.test>", "DATA")) {
                    String reply = d.send(command).reply();
                    if (reply == null || !(reply.startsWith("250") || reply.startsWith("354"))) {
                        replies.put(tag, reply == null ? "closed" : reply);
                        return;
                    }
                }
                String reply = d.raw("Subject: " + tag + "\r\n\r\n" + "x".repeat(2000) + "\r\n.\r\n").reply();
                replies.put(tag, reply == null ? "closed" : reply);
                if (reply == null || !reply.startsWith("250")) {
                    return;
                }
            }
        }
    }
}

package io.mxgate.core.dns;

import io.mxgate.core.transport.NextHop;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * Next-hop resolution against a real DNS server: a private dnsmasq (dev/dnsmasq.sh) answering from records in its
 * own syntax. Skipped where dnsmasq is not installed.
 */
class HostResolverTest {

    private static Path dir;
    private static Vertx vertx;
    private static Dns dns;
    private static HostResolver resolver;

    @BeforeAll
    static void start() throws Exception {
        Path root = Path.of(System.getProperty("mxgate.root", ".."));
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/sbin/dnsmasq")) && Files.exists(root.resolve("dev/dnsmasq.sh")),
                "dnsmasq is not installed (dev/install.sh dnsmasq-base)");
        dir = Files.createTempDirectory("mxgate-dns-");
        Files.writeString(dir.resolve("records"), String.join("\n",
                "mx-host=multi.test,mx-b.multi.test,20",
                "mx-host=multi.test,mx-a.multi.test,10",
                "mx-host=multi.test,mx-c.multi.test,20",
                "host-record=mx-a.multi.test,127.0.0.51",
                "host-record=mx-b.multi.test,127.0.0.52",
                "host-record=mx-c.multi.test,127.0.0.53",
                "host-record=implicit.test,127.0.0.54",
                "mx-host=backup.test,mx1.primary.test,10",
                "mx-host=backup.test,us.test,20",
                "host-record=mx1.primary.test,127.0.0.60",
                "host-record=us.test,127.0.0.10",
                "mx-host=self.test,us.test,10",
                "mx-host=orphan.test,mx1.gone.test,10",
                "mx-host=orphan.test,us.test,20",
                "mx-host=dangling.test,nowhere.dangling.test,10",
                // issue 19: IPv6. An MX host with only an AAAA record; a host with both families
                "mx-host=v6only.test,mx6.v6only.test,10",
                "host-record=mx6.v6only.test,2001:db8::6",
                "host-record=dual.test,127.0.0.70,2001:db8::70",
                ""));
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Process p = new ProcessBuilder(root.resolve("dev/dnsmasq.sh").toString(), "start", dir.toString(),
                Integer.toString(port), dir.resolve("records").toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        Assumptions.assumeTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "dnsmasq did not start: " + out);
        vertx = Vertx.vertx();
        dns = new Dns(vertx, "127.0.0.1:" + port, Duration.ofSeconds(3));
        resolver = resolver(InetProtocols.ALL, AddressPreference.ANY);
    }

    @AfterAll
    static void stop() throws Exception {
        if (dir != null) {
            Path root = Path.of(System.getProperty("mxgate.root", ".."));
            new ProcessBuilder(root.resolve("dev/dnsmasq.sh").toString(), "stop", dir.toString())
                    .redirectErrorStream(true).start().waitFor(30, TimeUnit.SECONDS);
            try (var walk = Files.walk(dir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private static HostResolver resolver(InetProtocols protocols, AddressPreference preference) {
        return new HostResolver(dns, Set.of("127.0.0.10"), 5, new Random(7), protocols, preference);
    }

    private static HostResolver.Result resolve(String host, int port, boolean mx) throws Exception {
        return resolve(resolver, host, port, mx);
    }

    private static HostResolver.Result resolve(HostResolver r, String host, int port, boolean mx) throws Exception {
        return r.resolve(new NextHop("smtp", host, port, mx)).toCompletionStage().toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
    }

    private static List<String> hosts(HostResolver.Result r) {
        return assertInstanceOf(HostResolver.Result.Hosts.class, r, r.toString()).hosts().stream()
                .map(HostResolver.Host::toString).toList();
    }

    @Test
    void mxHostsInPreferenceOrder() throws Exception {
        List<String> h = hosts(resolve("multi.test", 2525, true));
        assertEquals("mx-a.multi.test[127.0.0.51]:2525", h.get(0));
        assertEquals(Set.of("mx-b.multi.test[127.0.0.52]:2525", "mx-c.multi.test[127.0.0.53]:2525"),
                Set.copyOf(h.subList(1, 3)), "equal preferences in some order");
        assertEquals(3, h.size());
    }

    @Test
    void noMxRecordMeansTheDomainItself() throws Exception {
        assertEquals(List.of("implicit.test[127.0.0.54]:25"), hosts(resolve("implicit.test", 25, true)));
    }

    @Test
    void bracketsMeanNoLookup() throws Exception {
        assertEquals(List.of("10.1.2.3[10.1.2.3]:2526"), hosts(resolve("10.1.2.3", 2526, false)));
        assertEquals(List.of("relay.example[relay.example]:25"), hosts(resolve("relay.example", 25, false)));
    }

    @Test
    void aBackupMxOnlyTriesTheBetterMxHostsOnPort25() throws Exception {
        assertEquals(List.of("mx1.primary.test[127.0.0.60]:25"), hosts(resolve("backup.test", 25, true)));
        assertEquals(2, hosts(resolve("backup.test", 2525, true)).size(), "no loop detection off port 25");
    }

    @ParameterizedTest(name = "[{index}] {0}:{1}")
    @CsvSource(delimiter = '|', textBlock = """
            self.test      | 25 | true  | 5.4.6 | mail for self.test loops back to myself
            127.0.0.10     | 25 | false | 5.4.6 | mail for [127.0.0.10] loops back to myself
            orphan.test    | 25 | true  | 4.4.4 | unable to find primary relay for orphan.test
            missing.test   | 25 | true  | 5.4.4 | Host or domain name not found. Name service error for name=missing.test type=MX: Host not found
            dangling.test  | 25 | true  | 5.4.4 | Host or domain name not found. Name service error for name=nowhere.dangling.test type=A: Host not found
            """)
    void failures(String host, int port, boolean mx, String status, String text) throws Exception {
        HostResolver.Result.Failure f = assertInstanceOf(HostResolver.Result.Failure.class, resolve(host, port, mx));
        assertEquals(status, f.dsn().toString());
        assertEquals(text, f.text());
    }

    /** Issue 19: an MX host with only an AAAA record is reached (with inet_protocols = all, Postfix's default). */
    @Test
    void anIpv6OnlyMxHostIsFound() throws Exception {
        assertEquals(List.of("mx6.v6only.test[2001:db8::6]:25"), hosts(resolve("v6only.test", 25, true)));
        assertEquals(List.of("::1[::1]:2526"), hosts(resolve("::1", 2526, false)), "[::1] is used as it is");
        assertEquals(List.of("::1[::1]:25"), hosts(resolve("::1", 25, true)), "so is an IPv6 literal");
    }

    @Test
    void withInetProtocolsIpv4AnIpv6OnlyHostHasNoAddress() throws Exception {
        HostResolver.Result.Failure f = assertInstanceOf(HostResolver.Result.Failure.class,
                resolve(resolver(new InetProtocols(true, false), AddressPreference.ANY), "v6only.test", 25, true));
        assertEquals("5.4.4", f.dsn().toString());
        assertEquals("Host or domain name not found. Name service error for name=mx6.v6only.test type=A: "
                + "No address associated with hostname", f.text());
    }

    @ParameterizedTest(name = "[{index}] {0} {1}")
    @CsvSource(delimiter = '|', textBlock = """
            all  | ipv6 | dual.test[2001:db8::70]:25, dual.test[127.0.0.70]:25
            all  | ipv4 | dual.test[127.0.0.70]:25, dual.test[2001:db8::70]:25
            ipv4 | ipv6 | dual.test[127.0.0.70]:25
            ipv6 | ipv4 | dual.test[2001:db8::70]:25
            """)
    void addressPreferenceOrdersTheFamilies(String protocols, String preference, String expected) throws Exception {
        assertEquals(List.of(expected.split(", ")), hosts(resolve(resolver(InetProtocols.parse(protocols),
                AddressPreference.parse(preference)), "dual.test", 25, true)));
    }

    @Test
    void addressPreferenceAnyTriesBothFamilies() throws Exception {
        assertEquals(Set.of("dual.test[127.0.0.70]:25", "dual.test[2001:db8::70]:25"),
                Set.copyOf(hosts(resolve("dual.test", 25, true))));
    }
}

package io.mxgate.core.client;

import io.mxgate.core.address.MailAddress;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 19: {@code smtp_tls_security_level = verify} against a server with a real TLS stack and certificates from
 * test CAs made by dev/tls.sh: a trusted certificate that names the server is accepted; one from an untrusted CA, or
 * a trusted one that names another host, ends the conversation after the handshake with Postfix's 4.7.5 "Server
 * certificate not verified", before any MAIL, and the client never falls back to plaintext.
 */
class ClientTlsVerifyTest {

    private static final String EHLO_TLS = "250-scripted\r\n250-PIPELINING\r\n250-STARTTLS\r\n250 8BITMIME";
    private static final ClientTimeouts TIMEOUTS = new ClientTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(5),
            Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(5),
            Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(5));

    private static Vertx vertx;
    private static NetClient client;
    private static Path dir;
    private static TlsTrust trusted;

    @BeforeAll
    static void setUp() throws Exception {
        vertx = Vertx.vertx();
        client = vertx.createNetClient(ClientConnection.netClientOptions(TIMEOUTS));
        dir = Files.createTempDirectory("mxgate-client-verify-");
        tls("--ca", dir.resolve("ca"), dir.resolve("good"), "mx.verify.test");
        tls("--ca", dir.resolve("other-ca"), dir.resolve("impostor"), "mx.verify.test");
        trusted = TlsTrust.load(dir.resolve("ca/ca.pem").toString(), "");
    }

    /** dev/tls.sh, the project's own script for test certificates. */
    private static void tls(Object... args) throws Exception {
        Path root = Path.of(System.getProperty("mxgate.root", ".."));
        List<String> command = new java.util.ArrayList<>(List.of(root.resolve("dev/tls.sh").toString()));
        for (Object a : args) {
            command.add(a.toString());
        }
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "dev/tls.sh failed: " + out);
    }

    @AfterAll
    static void tearDown() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static ScriptedServer server(String certDir) throws Exception {
        return new ScriptedServer(vertx, EHLO_TLS, line -> null, dir.resolve(certDir + "/cert.pem").toString(),
                dir.resolve(certDir + "/key.pem").toString());
    }

    private static ClientConnection open(ScriptedServer s, TlsRequirement tls) throws Exception {
        return ClientConnection.open(vertx, client, ClientProtocol.SMTP, TIMEOUTS, "relay.example.test",
                "mx.verify.test", "127.0.0.1", s.port(), tls).toCompletionStage().toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
    }

    private static TlsRequirement verify(String... names) {
        return new TlsRequirement(ClientTls.VERIFY, List.of(names), trusted);
    }

    @Test
    void aTrustedCertificateThatNamesTheServerIsAccepted() throws Exception {
        try (ScriptedServer s = server("good")) {
            ClientConnection c = open(s, verify("mx.verify.test"));
            assertTrue(c.isEncrypted());
            byte[] body = "Subject: t\r\n\r\nhi\r\n".getBytes(StandardCharsets.US_ASCII);
            List<RecipientOutcome> out = c.deliver(new MailAddress("s", "remote.test"),
                    List.of(new MailAddress("a", "verify.test")), body.length, body, body.length)
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertEquals(250, out.get(0).reply().code());
            c.quit();
        }
    }

    @Test
    void aSubdomainPatternMatchesAsSecureDoes() throws Exception {
        try (ScriptedServer s = server("good")) {
            ClientConnection c = open(s, new TlsRequirement(ClientTls.SECURE, List.of("verify.test", ".verify.test"),
                    trusted));
            assertTrue(c.isEncrypted());
            c.quit();
        }
    }

    @Test
    void anUntrustedCertificateDefersWithNothingSent() throws Exception {
        try (ScriptedServer s = server("impostor")) {
            ClientException e = failure(s, verify("mx.verify.test"));
            assertTrue(e.detail().startsWith("certificate verification failed for mx.verify.test[127.0.0.1]:"
                    + s.port() + ": untrusted certificate: "), e.detail());
            assertNothingSentAfterStartTls(s);
        }
    }

    @Test
    void aTrustedCertificateForAnotherNameDefersWithNothingSent() throws Exception {
        try (ScriptedServer s = server("good")) {
            ClientException e = failure(s, verify("mx.elsewhere.test"));
            assertEquals("certificate verification failed for mx.verify.test[127.0.0.1]:" + s.port()
                    + ": certificate names [mx.verify.test] match none of [mx.elsewhere.test]", e.detail());
            assertNothingSentAfterStartTls(s);
        }
    }

    @Test
    void encryptStillAcceptsAnyCertificate() throws Exception {
        try (ScriptedServer s = server("impostor")) {
            ClientConnection c = open(s, TlsRequirement.of(ClientTls.ENCRYPT));
            assertTrue(c.isEncrypted());
            c.quit();
        }
    }

    private static ClientException failure(ScriptedServer s, TlsRequirement tls) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> open(s, tls));
        ClientException c = assertInstanceOf(ClientException.class, e.getCause());
        assertEquals("Server certificate not verified", c.getMessage());
        assertEquals("4.7.5", c.dsn().toString());
        assertTrue(c.beforeTransaction(), "the next server is tried");
        return c;
    }

    /** EHLO and STARTTLS in plaintext, then at most a QUIT over TLS: no MAIL, no second EHLO, no plaintext retry. */
    private static void assertNothingSentAfterStartTls(ScriptedServer s) throws Exception {
        Thread.sleep(200);  // a QUIT may still be on its way; nothing else may come
        List<String> received = s.received;
        assertEquals(List.of("EHLO relay.example.test", "STARTTLS"), received.subList(0, 2), received.toString());
        assertTrue(received.size() == 2 || received.subList(2, received.size()).equals(List.of("QUIT")),
                received.toString());
    }
}

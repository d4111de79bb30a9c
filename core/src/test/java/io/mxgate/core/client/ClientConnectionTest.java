package io.mxgate.core.client;

import io.mxgate.core.address.MailAddress;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * The SMTP client against a scripted server: EHLO keywords and their parameters, PIPELINING on and off,
 * per-recipient outcomes, BODY=8BITMIME, and STARTTLS at the levels none, may and encrypt with a real TLS handshake
 * (a self-signed certificate made with openssl).
 */
class ClientConnectionTest {

    private static final String EHLO_TLS = "250-scripted\r\n250-PIPELINING\r\n250-SIZE 1000\r\n250-8BITMIME\r\n"
            + "250-STARTTLS\r\n250 ENHANCEDSTATUSCODES";
    private static final String EHLO_PLAIN = "250-scripted\r\n250-8BITMIME\r\n250 ";
    private static final String EHLO_PIPELINING = "250-scripted\r\n250-PIPELINING\r\n250 8BITMIME";
    private static final ClientTimeouts TIMEOUTS = new ClientTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(5),
            Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(5),
            Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(5));
    private static final MailAddress SENDER = new MailAddress("s", "remote.test");

    private static Vertx vertx;
    private static NetClient client;
    private static Path tls;

    @BeforeAll
    static void setUp() throws Exception {
        vertx = Vertx.vertx();
        client = vertx.createNetClient(ClientConnection.netClientOptions(TIMEOUTS));
        tls = Files.createTempDirectory("mxgate-client-tls-");
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                "-subj", "/CN=scripted.test", "-keyout", tls.resolve("key.pem").toString(),
                "-out", tls.resolve("cert.pem").toString()).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "openssl made a certificate");
    }

    @AfterAll
    static void tearDown() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        try (var walk = Files.walk(tls)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static ScriptedServer server(String ehlo, Function<String, String> responder) throws Exception {
        return new ScriptedServer(vertx, ehlo, responder, tls.resolve("cert.pem").toString(),
                tls.resolve("key.pem").toString());
    }

    private static ClientConnection open(ScriptedServer s, ClientTls level) throws Exception {
        return ClientConnection.open(vertx, client, ClientProtocol.SMTP, TIMEOUTS, "mx.example.test", "scripted.test",
                "127.0.0.1", s.port(), TlsRequirement.of(level)).toCompletionStage().toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
    }

    private static List<RecipientOutcome> deliver(ClientConnection c, String body, String... recipients)
            throws Exception {
        byte[] content = body.getBytes(StandardCharsets.UTF_8);
        return c.deliver(SENDER, java.util.Arrays.stream(recipients).map(r -> new MailAddress(r, "x.test")).toList(),
                content.length, content, content.length).toCompletionStage().toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
    }

    @Test
    void startsTlsWhenOfferedAndSaysEhloAgain() throws Exception {
        try (ScriptedServer s = server(EHLO_TLS, line -> null)) {
            ClientConnection c = open(s, ClientTls.MAY);
            assertTrue(c.isEncrypted());
            assertEquals("1000", c.extension("SIZE"));
            assertTrue(c.supports("PIPELINING"));
            List<RecipientOutcome> out = deliver(c, "Subject: t\r\n\r\nhi\r\n", "a", "b");
            assertEquals(2, out.size());
            assertTrue(out.stream().allMatch(o -> o.reply().code() == 250));
            assertEquals(List.of("EHLO mx.example.test", "STARTTLS", "EHLO mx.example.test"), s.received.subList(0, 3));
            c.quit();
        }
    }

    @Test
    void levelNoneNeverStartsTls() throws Exception {
        try (ScriptedServer s = server(EHLO_TLS, line -> null)) {
            ClientConnection c = open(s, ClientTls.NONE);
            assertFalse(c.isEncrypted());
            deliver(c, "Subject: t\r\n\r\nhi\r\n", "a");
            assertFalse(s.received.contains("STARTTLS"));
            c.quit();
        }
    }

    @Test
    void mayContinuesInPlaintextWhenStartTlsIsRefused() throws Exception {
        try (ScriptedServer s = server(EHLO_TLS, line -> line.equals("STARTTLS") ? "454 4.7.0 TLS not available" : null)) {
            ClientConnection c = open(s, ClientTls.MAY);
            assertFalse(c.isEncrypted());
            assertEquals(250, deliver(c, "Subject: t\r\n\r\nhi\r\n", "a").get(0).reply().code());
            c.quit();
        }
    }

    @Test
    void encryptFailsWhenTlsIsNotOffered() throws Exception {
        try (ScriptedServer s = server(EHLO_PLAIN, line -> null)) {
            var e = assertThrows(java.util.concurrent.ExecutionException.class, () -> open(s, ClientTls.ENCRYPT));
            ClientException c = assertInstanceOf(ClientException.class, e.getCause());
            assertEquals("TLS is required, but was not offered by host scripted.test[127.0.0.1]", c.getMessage());
            assertEquals("4.7.4", c.dsn().toString(), "smtp_proto.c's status for it");
            assertTrue(c.beforeTransaction());
        }
    }

    /** The server answers MAIL and RCPT only once DATA has arrived: a client that waited for them would time out. */
    @Test
    void withPipeliningDataEndsTheGroup() throws Exception {
        try (ScriptedServer s = server(EHLO_PIPELINING, line -> null)) {
            s.holdRepliesUntilData = true;
            ClientConnection c = open(s, ClientTls.NONE);
            List<RecipientOutcome> out = deliver(c, "Subject: t\r\n\r\nhi\r\n", "a", "b");
            assertEquals(List.of(250, 250), out.stream().map(o -> o.reply().code()).toList());
            assertEquals(List.of("MAIL FROM:<s@remote.test>", "RCPT TO:<a@x.test>", "RCPT TO:<b@x.test>", "DATA"),
                    s.received.subList(1, 5));
            assertTrue(c.isReusable());
            c.quit();
        }
    }

    static Stream<Arguments> transactions() {
        String refusedB = "550 5.1.1 <b@x.test>: Recipient address rejected";
        String refused = "550 5.1.1 <a@x.test>: Recipient address rejected";
        return Stream.of(
                arguments("without PIPELINING each recipient waits; a refusal stays its own", EHLO_PLAIN,
                        Map.of("RCPT TO:<b@", refusedB), List.of("a", "b", "c"), List.of(250, 550, 250),
                        List.of(ClientState.DOT, ClientState.RCPT, ClientState.DOT), true, false, true),
                arguments("every recipient refused ends with RSET, not DATA", EHLO_PLAIN,
                        Map.of("RCPT", "500 5.3.0 Error: command failed"), List.of("a"), List.of(500),
                        List.of(ClientState.RCPT), false, true, true),
                arguments("pipelined DATA refused when every recipient was: RSET, and the connection stays",
                        EHLO_PIPELINING, Map.of("RCPT", refused, "DATA", "554 5.5.1 Error: no valid recipients"),
                        List.of("a"), List.of(550), List.of(ClientState.RCPT), true, true, true),
                // 354 with no recipient left: the content cannot be withdrawn in step
                arguments("pipelined DATA accepted without recipients drops the connection", EHLO_PIPELINING,
                        Map.of("RCPT", refused), List.of("a"), List.of(550), List.of(ClientState.RCPT), true, false,
                        false),
                arguments("DATA refused is the outcome of every accepted recipient", EHLO_PIPELINING,
                        Map.of("RCPT TO:<b@", refusedB, "DATA", "451 4.3.0 Error: queue file write error"),
                        List.of("a", "b"), List.of(451, 550), List.of(ClientState.DATA, ClientState.RCPT), true, true,
                        true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transactions")
    void recipientOutcomes(String name, String ehlo, Map<String, String> replies, List<String> recipients,
                           List<Integer> codes, List<ClientState> inReplyTo, boolean dataSent, boolean rset,
                           boolean reusable) throws Exception {
        try (ScriptedServer s = server(ehlo, line -> replies.entrySet().stream().filter(e -> line.startsWith(e.getKey()))
                .map(Map.Entry::getValue).findFirst().orElse(null))) {
            ClientConnection c = open(s, ClientTls.NONE);
            List<RecipientOutcome> out = deliver(c, "Subject: t\r\n\r\nhi\r\n", recipients.toArray(String[]::new));
            assertEquals(codes, out.stream().map(o -> o.reply().code()).toList());
            assertEquals(inReplyTo, out.stream().map(RecipientOutcome::inReplyTo).toList());
            assertEquals(dataSent, s.received.contains("DATA"), s.received.toString());
            assertEquals(rset, s.received.contains("RSET"), s.received.toString());
            assertEquals(reusable, c.isReusable());
            if (reusable) {
                c.quit();
            }
        }
    }

    @Test
    void eightBitContentIsDeclared() throws Exception {
        try (ScriptedServer s = server(EHLO_PLAIN, line -> null)) {
            ClientConnection c = open(s, ClientTls.NONE);
            deliver(c, "Subject: t\r\n\r\nGr\u00fc\u00dfe\r\n", "a");
            assertTrue(s.received.contains("MAIL FROM:<s@remote.test> BODY=8BITMIME"), s.received.toString());
            deliver(c, "Subject: t\r\n\r\nplain\r\n", "a");
            assertTrue(s.received.contains("MAIL FROM:<s@remote.test>"), s.received.toString());
            c.quit();
        }
    }
}

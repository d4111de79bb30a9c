package io.mxgate.core.envelope;

import io.mxgate.core.address.AddressParser;
import io.mxgate.core.address.MailAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class EnvelopeCodecTest {

    private static final Instant ARRIVAL = Instant.parse("2024-05-01T12:34:56.789Z");
    private static final Envelope.Client CLIENT =
            new Envelope.Client("mail.sender.example", "192.0.2.7", "mail.sender.example", "ESMTP");

    private static MailAddress addr(String mailbox) {
        MailAddress a = AddressParser.parseMailbox(mailbox);
        assertNotNull(a, mailbox);
        return a;
    }

    private static String text(String resource) throws IOException {
        try (InputStream in = EnvelopeCodecTest.class.getResourceAsStream(resource)) {
            assertNotNull(in, resource);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void originalsAndAgentsPrecedeTheirRecipient() {
        Envelope e = new Envelope("Q", ARRIVAL, addr("a@example.test"), List.of(addr("bob@example.test")), CLIENT, 0, "",
                Map.of(addr("bob@example.test"), addr("info@alias.test")),
                Map.of(addr("bob@example.test"), Envelope.Agent.LMTP));
        assertTrue(new String(EnvelopeCodec.encode(e), StandardCharsets.UTF_8)
                .endsWith("O info@alias.test\nD lmtp\nR bob@example.test\n"));
        assertThrows(EnvelopeCodec.MalformedEnvelopeException.class, () -> EnvelopeCodec.decode(
                "V 1\nQ q\nT 0\nS \nD smtp\nR b@example.test\n".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void encodesToTheGoldenForm() throws IOException {
        Envelope e = new Envelope("4VkLmN0pQr5sT1uV", ARRIVAL, addr("alice@sender.example"),
                List.of(addr("bob@example.test"), addr("\"carol x\"@example.test")), CLIENT, 2,
                "450 4.2.0 <bob@example.test>: Recipient address rejected: Greylisted");
        String golden = text("/envelope/golden-v1.txt");
        assertEquals(golden, new String(EnvelopeCodec.encode(e), StandardCharsets.UTF_8));
        assertEquals(e, EnvelopeCodec.decode(golden.getBytes(StandardCharsets.UTF_8)));
    }

    static Stream<Arguments> envelopes() {
        List<MailAddress> many = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            many.add(addr("user" + i + "@d" + (i % 7) + ".example.test"));
        }
        return Stream.of(
                arguments("plain", new Envelope("Q1", ARRIVAL, addr("a@example.test"), List.of(addr("b@example.test")),
                        CLIENT, 0, "")),
                arguments("null sender", new Envelope("Q2", ARRIVAL, MailAddress.NULL_SENDER,
                        List.of(addr("postmaster@example.test")), CLIENT, 0, "")),
                arguments("1000 recipients", new Envelope("Q3", ARRIVAL, addr("a@example.test"), many, CLIENT, 0, "")),
                arguments("odd but valid addresses", new Envelope("Q4", ARRIVAL, addr("\"a b\"@example.test"),
                        List.of(addr("\"x\\\"y\"@example.test"), addr("u@[192.0.2.1]"), addr("user%other@example.test"),
                                addr("\"user@other\"@example.test")), CLIENT, 0, "")),
                arguments("after attempts", new Envelope("Q5", ARRIVAL, addr("a@example.test"),
                        List.of(addr("b@example.test")), CLIENT, 7, "550 5.1.1 <b@example.test>: User unknown")),
                arguments("empty client fields", new Envelope("Q6", Instant.EPOCH, addr("a@example.test"),
                        List.of(addr("b@example.test")), new Envelope.Client("", "", "", ""), 0, "")),
                arguments("non-ASCII helo", new Envelope("Q7", ARRIVAL, addr("a@example.test"),
                        List.of(addr("b@example.test")), new Envelope.Client("unknown", "2001:db8::1", "hélo.example", "SMTP"),
                        0, "")),
                arguments("duplicate recipients kept", new Envelope("Q8", ARRIVAL, addr("a@example.test"),
                        List.of(addr("b@example.test"), addr("b@example.test")), CLIENT, 0, "")),
                arguments("aliases expanded, consumers chosen", new Envelope("Q9", ARRIVAL, addr("a@example.test"),
                        List.of(addr("bob@example.test"), addr("pages@fax.test"), addr("c@example.test")), CLIENT, 0, "",
                        Map.of(addr("bob@example.test"), addr("info@alias.test"),
                                addr("pages@fax.test"), addr("info@alias.test")),
                        Map.of(addr("bob@example.test"), Envelope.Agent.LMTP, addr("pages@fax.test"), Envelope.Agent.QMGR))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("envelopes")
    void roundTrips(String name, Envelope e) {
        assertEquals(e, EnvelopeCodec.decode(EnvelopeCodec.encode(e)));
    }

    @Test
    void nullSenderDecodesToTheConstant() {
        Envelope e = new Envelope("Q", ARRIVAL, MailAddress.NULL_SENDER, List.of(addr("b@example.test")), CLIENT, 0, "");
        assertSame(MailAddress.NULL_SENDER, EnvelopeCodec.decode(EnvelopeCodec.encode(e)).sender());
    }

    /** CR and LF in client-supplied text cannot inject records: they become spaces. */
    static Stream<Arguments> injections() {
        return Stream.of(
                arguments(new Envelope.Client("evil\nR victim@example.test", "192.0.2.1", "h", "SMTP"),
                        new Envelope.Client("evil R victim@example.test", "192.0.2.1", "h", "SMTP")),
                arguments(new Envelope.Client("n", "192.0.2.1", "helo\r\nS other@example.test\r\nN 99", "ESMTP"),
                        new Envelope.Client("n", "192.0.2.1", "helo  S other@example.test  N 99", "ESMTP")),
                arguments(new Envelope.Client("n", "a\rb", "h", "SMTP\nQ X"),
                        new Envelope.Client("n", "a b", "h", "SMTP Q X")),
                arguments(new Envelope.Client("\n", "\r", "\r\n", "\n\n"),
                        new Envelope.Client(" ", " ", "  ", "  ")));
    }

    @ParameterizedTest(name = "[{index}]")
    @MethodSource("injections")
    void neutralisesLineBreaksInClientFields(Envelope.Client sent, Envelope.Client stored) {
        Envelope e = new Envelope("Q1", ARRIVAL, addr("a@example.test"), List.of(addr("b@example.test")), sent, 0,
                "x\r\nR injected@example.test");
        Envelope decoded = EnvelopeCodec.decode(EnvelopeCodec.encode(e));
        assertEquals(new Envelope("Q1", ARRIVAL, addr("a@example.test"), List.of(addr("b@example.test")), stored, 0,
                "x  R injected@example.test"), decoded);
    }

    @Test
    void queueIdWithLineBreakIsNeutralisedToo() {
        Envelope e = new Envelope("Q\nR x@example.test", ARRIVAL, addr("a@example.test"), List.of(addr("b@example.test")),
                CLIENT, 0, "");
        Envelope decoded = EnvelopeCodec.decode(EnvelopeCodec.encode(e));
        assertEquals("Q R x@example.test", decoded.queueId());
        assertEquals(List.of(addr("b@example.test")), decoded.recipients());
    }

    @Test
    void missingOptionalRecordsTakeDefaults() {
        Envelope e = EnvelopeCodec.decode("V 1\nQ q\nT 1000\nS \nR b@example.test\n".getBytes(StandardCharsets.UTF_8));
        assertEquals(new Envelope("q", Instant.ofEpochMilli(1000), MailAddress.NULL_SENDER, List.of(addr("b@example.test")),
                new Envelope.Client("unknown", "unknown", "", "SMTP"), 0, ""), e);
    }

    private static final String OK_HEAD = "V 1|Q q|T 1000|S a@example.test|";

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiterString = "=>", quoteCharacter = '\'', textBlock = """
            ''                                        => 'unknown envelope version: '
            'V 2|Q q|T 1|S |R b@example.test'         => unknown envelope version: V 2
            'v 1|Q q|T 1|S |R b@example.test'         => unknown envelope version: v 1
            'V 1 |Q q|T 1|S |R b@example.test'        => 'unknown envelope version: V 1 '
            'Q q|T 1|S |R b@example.test'             => unknown envelope version: Q q
            'V 1'                                     => envelope lacks queue id, arrival, sender or recipients
            'V 1|T 1|S |R b@example.test'             => envelope lacks queue id, arrival, sender or recipients
            'V 1|Q q|S |R b@example.test'             => envelope lacks queue id, arrival, sender or recipients
            'V 1|Q q|T 1|R b@example.test'            => envelope lacks queue id, arrival, sender or recipients
            'V 1|Q q|T 1|S '                          => envelope lacks queue id, arrival, sender or recipients
            'V 1|Q q|T x|S |R b@example.test'         => line 3: T x
            'V 1|Q q|T |S |R b@example.test'          => 'line 3: T '
            'V 1|Q q|T 1|N many|S |R b@example.test'  => line 4: N many
            'V 1|Q q|T 1|N 99999999999|S |R b@example.test' => line 4: N 99999999999
            'V 1|Q q|X y|T 1|S |R b@example.test'     => line 3: unknown record X y
            'V 1|Q'                                   => line 2: Q
            'V 1|Qq'                                  => line 2: Qq
            'V 1||Q q'                                => 'line 2: '
            'V 1|Q q|T 1|S |R nobody'                 => line 5: bad address nobody
            'V 1|Q q|T 1|S |R <b@example.test>'       => line 5: bad address <b@example.test>
            'V 1|Q q|T 1|S |R '                       => 'line 5: bad address '
            'V 1|Q q|T 1|S <a@example.test>|R b@example.test' => line 4: bad address <a@example.test>
            'V 1|Q q|T 1|S a@|R b@example.test'       => line 4: bad address a@
            """)
    void rejectsMalformedEnvelopes(String text, String message) {
        byte[] bytes = text.replace('|', '\n').getBytes(StandardCharsets.UTF_8);
        EnvelopeCodec.MalformedEnvelopeException e =
                assertThrows(EnvelopeCodec.MalformedEnvelopeException.class, () -> EnvelopeCodec.decode(bytes));
        assertEquals(message, e.getMessage());
    }

    @Test
    void crlfLineEndingsAreNotTheFormat() {
        byte[] bytes = (OK_HEAD.replace("|", "\r\n") + "R b@example.test\r\n").getBytes(StandardCharsets.UTF_8);
        EnvelopeCodec.MalformedEnvelopeException e =
                assertThrows(EnvelopeCodec.MalformedEnvelopeException.class, () -> EnvelopeCodec.decode(bytes));
        assertEquals("unknown envelope version: V 1\r", e.getMessage());
    }

    @Test
    void envelopeNeedsARecipient() {
        assertThrows(IllegalArgumentException.class,
                () -> new Envelope("q", ARRIVAL, addr("a@example.test"), List.of(), CLIENT, 0, ""));
    }

    @Test
    void afterAttemptKeepsIdentityAndCountsUp() {
        Envelope e = new Envelope("q", ARRIVAL, addr("a@example.test"),
                List.of(addr("b@example.test"), addr("c@example.test")), CLIENT, 1, "");
        Envelope next = e.afterAttempt(List.of(addr("c@example.test")), "451 4.4.1 timeout");
        assertEquals(new Envelope("q", ARRIVAL, addr("a@example.test"), List.of(addr("c@example.test")), CLIENT, 2,
                "451 4.4.1 timeout"), next);
        assertEquals("mail.sender.example[192.0.2.7]", CLIENT.nameAndAddress());
    }
}

package io.mxgate.core.routing;

import io.mxgate.core.address.AddressParser;
import io.mxgate.core.domain.DomainClasses;
import io.mxgate.core.table.DomainList;
import io.mxgate.core.table.LookupTable;
import io.mxgate.core.table.PostfixTable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * trivial-rewrite's resolve() and transport(5), table-driven: each row is a recipient, whether relayhost is set, and
 * the route it must get, as Postfix would ({@code postmap -q} / {@code sendmail -bv} reasoning from resolve.c and
 * transport.c).
 */
class ResolverTest {

    private static final List<String> TRANSPORT = List.of(
            "# the seed's line, and the other forms transport(5) allows",
            "fax.example.test     smtp:[127.0.0.1]:2526",
            "backup.test          relay:[10.0.0.5]",
            ".sub.test            smtp:mx.sub.test:2525",
            "sub.test             :[exact.sub.test]",
            "boss@special.test    smtp:[boss-host]",
            "special.test         discard:",
            "gone.test            error:5.1.1 gone for good",
            "err.test             error:",
            "later.test           retry:4.3.2 try later",
            "pipe.test            local:",
            "relay.test           relay:",
            "noop.test            :",
            "alias.test           smtp:[never-used]",
            "lmtp.test            lmtp:[10.0.0.9]",
            "bad.test             smtp:[unbalanced");

    private static final DomainClasses CLASSES = new DomainClasses(DomainList.parse("relay.test, backup.test"),
            DomainList.parse("example.test"), DomainList.parse("alias.test"));

    /** Resolves with text tables, whose futures complete at once. */
    private record Routes(DomainClasses classes, Resolver resolver) {
        Route resolve(io.mxgate.core.address.MailAddress a) {
            return classes.classify(a.domain()).compose(c -> resolver.resolve(a, c)).result();
        }
    }

    private static Routes resolver(String relayhost, List<String> extra) {
        List<String> lines = new java.util.ArrayList<>(TRANSPORT);
        lines.addAll(extra);
        return new Routes(CLASSES, new Resolver(new Resolver.Settings("lmtp:[127.0.0.1]:2424", "relay", "smtp",
                relayhost, 25, 24), new TransportMaps(List.of(LookupTable.of(PostfixTable.parse("transport", lines))), "")));
    }

    @ParameterizedTest(name = "[{index}] {0} relayhost={1} -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            # recipient                  | relayhost      | route key
            alice@example.test           |                | lmtp:[127.0.0.1]:2424
            alice@example.test           | [gw.test]:587  | lmtp:[127.0.0.1]:2424
            pages@fax.example.test       |                | smtp:[127.0.0.1]:2526
            pages@fax.example.test       | [gw.test]:587  | smtp:[127.0.0.1]:2526
            u@backup.test                |                | relay:[10.0.0.5]:25
            u@relay.test                 |                | relay:relay.test:25
            u@relay.test                 | [gw.test]:587  | relay:relay.test:25
            u@other.test                 |                | smtp:other.test:25
            u@other.test                 | [gw.test]:587  | smtp:[gw.test]:587
            u@other.test                 | a.test, [b.test]:26 | smtp:a.test:25,[b.test]:26
            u@a.sub.test                 |                | smtp:mx.sub.test:2525
            u@b.a.sub.test               |                | smtp:mx.sub.test:2525
            u@sub.test                   |                | smtp:[exact.sub.test]:25
            u@sub.test                   | [gw.test]:587  | smtp:[exact.sub.test]:25
            boss@special.test            |                | smtp:[boss-host]:25
            clerk@special.test           |                | discard:special.test
            u@gone.test                  |                | error:gone for good
            u@err.test                   |                | error:Address is undeliverable
            u@later.test                 |                | retry:try later
            u@pipe.test                  |                | retry:mail transport unavailable
            u@noop.test                  |                | smtp:noop.test:25
            u@noop.test                  | [gw.test]:587  | smtp:[gw.test]:587
            nobody@alias.test            |                | error:User unknown in virtual alias table
            u@lmtp.test                  |                | lmtp:[10.0.0.9]:24
            u@bad.test                   |                | retry:bad next hop: unbalanced [ in "smtp:[unbalanced"
            """)
    void resolves(String recipient, String relayhost, String key) {
        assertEquals(key, resolver(relayhost == null ? "" : relayhost, List.of())
                .resolve(AddressParser.parseMailbox(recipient)).key());
    }

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            u@other.test                 | smtp:[wild]:25
            u@fax.example.test           | smtp:[127.0.0.1]:2526
            alice@example.test           | smtp:[wild]:25
            """)
    void wildcardCatchesEverythingNotListed(String recipient, String key) {
        assertEquals(key, resolver("", List.of("*   smtp:[wild]")).resolve(AddressParser.parseMailbox(recipient)).key());
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            gone.test  | 5.1.1
            err.test   | 5.0.0
            later.test | 4.3.2
            alias.test | 5.1.1
            pipe.test  | 4.3.0
            """)
    void statusesOfErrorAndRetryRoutes(String domain, String status) {
        Route r = resolver("", List.of()).resolve(AddressParser.parseMailbox("u@" + domain));
        String dsn = r instanceof Route.Bounce b ? b.dsn().toString() : ((Route.Defer) r).dsn().toString();
        assertEquals(status, dsn);
    }

    @org.junit.jupiter.api.Test
    void onlyTheSmtpTransportMayUseTheFallbackRelay() {
        Routes r = resolver("", List.of());
        assertEquals(true, ((Route.Deliver) r.resolve(AddressParser.parseMailbox("u@other.test"))).fallbackRelay());
        assertEquals(false, ((Route.Deliver) r.resolve(AddressParser.parseMailbox("u@relay.test"))).fallbackRelay());
        assertEquals(false, ((Route.Deliver) r.resolve(AddressParser.parseMailbox("u@lmtp.test"))).fallbackRelay());
    }

    @org.junit.jupiter.api.Test
    void smtpTcpPortIsTheDefaultPortOfSmtpNextHops() {
        DomainClasses classes = new DomainClasses(DomainList.parse(""), DomainList.parse("example.test"),
                DomainList.parse(""));
        Routes r = new Routes(classes, new Resolver(new Resolver.Settings("lmtp:[dovecot]", "relay", "smtp", "", 2525,
                2424), new TransportMaps(List.of(), "")));
        assertEquals("smtp:other.test:2525", r.resolve(AddressParser.parseMailbox("u@other.test")).key());
        assertEquals("lmtp:[dovecot]:2424", r.resolve(AddressParser.parseMailbox("u@example.test")).key());
    }
}

package io.mxgate.core.client;

import io.mxgate.core.table.LookupTable;
import io.mxgate.core.table.PostfixTable;
import io.mxgate.core.transport.NextHop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 19: {@code smtp_tls_policy_maps} as Postfix's smtp_tls_policy.c reads it (the entry's syntax, the lookup
 * keys of a next hop, which entry wins) and the certificate name matching of tls_verify.c, as tables of cases.
 */
class TlsPolicyTest {

    private static final List<String> VERIFY_DEFAULT = List.of("hostname");
    private static final List<String> SECURE_DEFAULT = List.of("nexthop", "dot-nexthop");

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            # entry                                     | level   | match
            none                                        | NONE    | ''
            may                                         | MAY     | ''
            encrypt                                     | ENCRYPT | ''
            verify                                      | VERIFY  | ''
            secure                                      | SECURE  | ''
            SECURE                                      | SECURE  | ''
            secure match=nexthop:dot-nexthop            | SECURE  | nexthop dot-nexthop
            verify match=hostname:.Example.com          | VERIFY  | hostname .example.com
            verify match=hostname match=example.com     | VERIFY  | hostname example.com
            'verify, match=hostname'                    | VERIFY  | hostname
            secure match=nexthop ciphers=high           | SECURE  | nexthop
            encrypt ciphers=medium                      | ENCRYPT | ''
            none match=whatever                         | NONE    | ''
            """)
    void parses(String entry, ClientTls level, String match) {
        TlsPolicy p = TlsPolicy.parse(entry);
        assertEquals(level, p.level());
        assertEquals(match.isEmpty() ? List.of() : Arrays.asList(match.split(" ")), p.match());
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            ''                        | invalid empty policy
            bogus                     | invalid security level "bogus"
            dane                      | TLS security level "dane" is not supported by mxgate (supported: none, may, encrypt, verify, secure)
            fingerprint match=AB:CD   | TLS security level "fingerprint" is not supported by mxgate (supported: none, may, encrypt, verify, secure)
            encrypt match=hostname    | attribute "match" invalid at security level "encrypt"
            may match=hostname        | attribute "match" invalid at security level "may"
            verify match=             | attribute "match" has empty value
            verify hostname           | malformed attribute/value pair "hostname"
            verify colour=blue        | invalid attribute name: "colour"
            verify protocols=TLSv1.3  | attribute "protocols" is not supported by mxgate
            verify ciphers=high ciphers=high | attribute "ciphers" is specified multiple times
            verify ciphers=export     | attribute "ciphers=export" is not supported by mxgate (high or medium: the JDK's default cipher suites)
            """)
    void refuses(String entry, String warning) {
        TlsPolicy.InvalidPolicyException e = assertThrows(TlsPolicy.InvalidPolicyException.class,
                () -> TlsPolicy.parse(entry));
        assertEquals(warning, e.getMessage());
    }

    @ParameterizedTest(name = "[{index}] {0} for {1} via {2}")
    @CsvSource(delimiter = '|', textBlock = """
            # policy                               | server host      | next hop     | names
            verify                                 | mx1.example.com  | example.com  | mx1.example.com
            secure                                 | mx1.example.com  | example.com  | example.com .example.com
            secure match=hostname:nexthop          | mx1.example.com  | example.com  | mx1.example.com example.com
            verify match=nexthop:dot-nexthop       | mx1.example.com  | example.com  | example.com .example.com
            secure match=.example.net:example.net  | mx.example.net   | example.net  | .example.net example.net
            verify match=hostname:hostname         | mx1.example.com  | example.com  | mx1.example.com
            """)
    void expandsTheMatchStrategies(String policy, String host, String nexthop, String names) {
        TlsRequirement r = TlsPolicy.parse(policy).requirement(host, nexthop, VERIFY_DEFAULT, SECURE_DEFAULT,
                TlsTrust.load("", ""));
        assertEquals(List.of(names.split(" ")), r.names());
    }

    @Test
    void levelsBelowVerifyCheckNoNames() {
        TlsRequirement r = TlsPolicy.parse("encrypt").requirement("mx", "example.com", VERIFY_DEFAULT, SECURE_DEFAULT,
                null);
        assertEquals(TlsRequirement.of(ClientTls.ENCRYPT), r);
    }

    @ParameterizedTest(name = "[{index}] {1} against {0}")
    @CsvSource(delimiter = '|', textBlock = """
            # patterns                        | certificate name     | matches
            mx1.example.com                   | mx1.example.com      | true
            mx1.example.com                   | MX1.Example.COM      | true
            mx1.example.com                   | mx2.example.com      | false
            mx1.example.com                   | *.example.com        | true
            mx1.example.com                   | *.com                | false
            a.mx1.example.com                 | *.example.com        | false
            example.com                       | *.com                | true
            .example.com                      | mx1.example.com      | true
            .example.com                      | a.b.example.com      | true
            .example.com                      | example.com          | false
            .example.com                      | badexample.com       | false
            .example.com                      | *.example.com        | true
            example.com .example.com          | example.com          | true
            example.com                       | mx1.example.com      | false
            """)
    void matchesCertificateNamesAsPostfixDoes(String patterns, String certName, boolean matches) {
        TlsRequirement r = new TlsRequirement(ClientTls.VERIFY, List.of(patterns.split(" ")), TlsTrust.load("", ""));
        assertEquals(matches, r.matches(certName));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            # next hop                        | keys, in order
            smtp:example.com                  | example.com .com
            smtp:mail.sub.example.com         | mail.sub.example.com .sub.example.com .example.com .com
            smtp:example.com:587              | example.com:587
            smtp:[mx.example.com]             | [mx.example.com] [mx.example.com]:25
            smtp:[mx.example.com]:587         | [mx.example.com]:587
            relay:[127.0.0.1]:2525            | [127.0.0.1]:2525
            smtp:[::1]                        | [::1] [::1]:25
            """)
    void looksUpTheNextHopAsTransportWritesIt(String hop, String keys) {
        assertEquals(List.of(keys.split(" ")), TlsPolicies.keys(NextHop.parse(hop, 25), 25));
    }

    private static final List<String> TABLE = List.of(
            "# smtp_tls_policy_maps, as TLS_README writes it",
            "example.edu             none",
            "example.mil             secure",
            "example.com             verify match=hostname:dot-nexthop ciphers=high",
            ".example.net            secure match=.example.net:example.net",
            "[mail.example.org]:587  secure match=nexthop",
            "[relay.example.org]     verify",
            "broken.example          verify match=",
            "obsolete.example        fingerprint");

    private static TlsPolicies policies() {
        return new TlsPolicies(ClientTls.MAY, List.of(LookupTable.of(PostfixTable.parse("hash:/etc/postfix/tls_policy",
                TABLE))), 25, VERIFY_DEFAULT, SECURE_DEFAULT, TlsTrust.load("", ""));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            # next hop                       | level    | match
            smtp:example.edu                 | NONE     | ''
            smtp:example.mil                 | SECURE   | ''
            smtp:example.com                 | VERIFY   | hostname dot-nexthop
            smtp:sub.example.com             | MAY      | ''
            smtp:mx.example.net              | SECURE   | .example.net example.net
            smtp:example.net                 | MAY      | ''
            smtp:[mail.example.org]:587      | SECURE   | nexthop
            smtp:[mail.example.org]          | MAY      | ''
            smtp:mail.example.org:587        | MAY      | ''
            smtp:[relay.example.org]         | VERIFY   | ''
            smtp:[relay.example.org]:25      | VERIFY   | ''
            smtp:elsewhere.test              | MAY      | ''
            """)
    void selectsTheEntryOfTheNextHop(String hop, ClientTls level, String match) throws Exception {
        TlsPolicy p = policies().policy(NextHop.parse(hop, 25)).toCompletionStage().toCompletableFuture()
                .get(5, TimeUnit.SECONDS);
        assertEquals(level, p.level());
        assertEquals(match.isEmpty() ? List.of() : Arrays.asList(match.split(" ")), p.match());
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            smtp:broken.example    | smtp_tls_policy_maps, next-hop destination "broken.example": attribute "match" has empty value
            smtp:obsolete.example  | smtp_tls_policy_maps, next-hop destination "obsolete.example": TLS security level "fingerprint" is not supported by mxgate (supported: none, may, encrypt, verify, secure)
            """)
    void anInvalidEntryIsAnErrorNotAWeakerPolicy(String hop, String warning) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> policies().policy(NextHop.parse(hop, 25))
                .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS));
        assertEquals(warning, assertInstanceOf(TlsPolicy.InvalidPolicyException.class, e.getCause()).getMessage());
    }

    @Test
    void levelNames() {
        assertTrue(ClientTls.VERIFY.requiresTls() && ClientTls.VERIFY.verifies());
        assertTrue(ClientTls.ENCRYPT.requiresTls());
        assertFalse(ClientTls.ENCRYPT.verifies());
        assertFalse(ClientTls.MAY.requiresTls());
        assertEquals(ClientTls.NONE, ClientTls.parse(""));
    }
}

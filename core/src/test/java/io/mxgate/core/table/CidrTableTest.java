package io.mxgate.core.table;

import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** cidr_table(5): patterns in file order, first match wins, IPv4 and IPv6, "[]" optional. */
class CidrTableTest {

    /** Only IP literals are used here, so no DNS is involved. */
    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static final CidrTable TABLE = CidrTable.parse("test", List.of(
            "# first match wins, in file order",
            "",
            "192.0.2.1          single host (bare)",
            "192.0.2.0/24       documentation /24",
            "192.0.2.128/25     never reached: the /24 above matches first",
            "   # an indented comment",
            "198.51.100.7/32    a /32",
            "10.0.0.0/8         ten /8",
            "172.16.0.0/12      rfc1918 /12",
            "[2001:db8::1]      v6 single (bracketed)",
            "2001:db8::/32      v6 /32",
            "[2001:db8:ffff::]/48 never reached",
            "fe80::/10          link local",
            "::/0               any v6",
            "0.0.0.0/0          any v4"));

    @ParameterizedTest(name = "[{index}] {0} -> \"{1}\"")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            192.0.2.1           | single host (bare)
            192.0.2.2           | documentation /24
            192.0.2.255         | documentation /24
            192.0.2.129         | documentation /24
            198.51.100.7        | a /32
            198.51.100.8        | any v4
            10.0.0.0            | ten /8
            10.255.255.255      | ten /8
            11.0.0.0            | any v4
            172.16.0.1          | rfc1918 /12
            172.31.255.255      | rfc1918 /12
            172.32.0.0          | any v4
            172.15.255.255      | any v4
            2001:db8::1         | v6 single (bracketed)
            2001:db8::2         | v6 /32
            2001:db8:ffff::1    | v6 /32
            2001:0db8:0000::0001 | v6 single (bracketed)
            fe80::1             | link local
            febf:ffff::1        | link local
            fec0::1             | any v6
            ::1                 | any v6
            2001:db9::1         | any v6
            """)
    void firstMatchInFileOrder(String address, String expected) {
        assertEquals(expected, TABLE.lookup(ip(address)).orElse(null));
    }

    @ParameterizedTest(name = "[{index}] {0} in {1}: {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            0.0.0.0/0           | 203.0.113.9    | true
            0.0.0.0/0           | 2001:db8::1    | false
            ::/0                | 203.0.113.9    | false
            ::/0                | 2001:db8::1    | true
            192.0.2.0/24        | 192.0.2.77     | true
            192.0.2.0/24        | 192.0.3.77     | false
            192.0.2.0/23        | 192.0.3.77     | true
            192.0.2.64/26       | 192.0.2.127    | true
            192.0.2.64/26       | 192.0.2.128    | false
            192.0.2.64/26       | 192.0.2.63     | false
            192.0.2.7/31        | 192.0.2.6      | true
            192.0.2.7           | 192.0.2.7      | true
            192.0.2.7           | 192.0.2.6      | false
            192.0.2.7/32        | 192.0.2.7      | true
            [192.0.2.7]         | 192.0.2.7      | true
            2001:db8::/33       | 2001:db8:7fff::1 | true
            2001:db8::/33       | 2001:db8:8000::1 | false
            [2001:db8::]/32     | 2001:db8::1    | true
            2001:db8::1/128     | 2001:db8::1    | true
            2001:db8::1/128     | 2001:db8::2    | false
            ::/96               | 192.0.2.1      | false
            ::/96               | ::1.2.3.4      | true
            """)
    void networkContains(String network, String address, boolean expected) {
        assertEquals(expected, CidrTable.Network.parse(network).contains(ip(address)));
    }

    @Test
    void noMatchIsEmpty() {
        CidrTable t = CidrTable.parse("t", List.of("192.0.2.0/24 OK", "2001:db8::/32 OK"));
        assertTrue(t.lookup(ip("198.51.100.1")).isEmpty());
        assertTrue(t.lookup(ip("2001:db9::1")).isEmpty());
    }

    @Test
    void anIpv4AddressNeverMatchesAnIpv6Network() {
        CidrTable t = CidrTable.parse("t", List.of("::/0 v6", "::/96 compat", "::/1 low half"));
        assertTrue(t.lookup(ip("192.0.2.1")).isEmpty());
        assertTrue(t.lookup(ip("0.0.0.0")).isEmpty());
    }

    @Test
    void continuationLinesJoinTheValue() {
        CidrTable t = CidrTable.parse("t", List.of("192.0.2.0/24 REJECT", "  go away", "# x", "10.0.0.0/8 OK"));
        assertEquals("REJECT go away", t.lookup(ip("192.0.2.1")).orElseThrow());
        assertEquals("OK", t.lookup(ip("10.1.2.3")).orElseThrow());
    }

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            '192.0.2.0/33 x'     | 'cidr:t: bad prefix length in "192.0.2.0/33"'
            '192.0.2.0/-1 x'     | 'cidr:t: bad prefix length in "192.0.2.0/-1"'
            '192.0.2.0/ x'       | 'cidr:t: bad prefix length in "192.0.2.0/"'
            '192.0.2.0/abc x'    | 'cidr:t: bad prefix length in "192.0.2.0/abc"'
            '2001:db8::/129 x'   | 'cidr:t: bad prefix length in "2001:db8::/129"'
            'garbage x'          | 'cidr:t: not a network address: "garbage"'
            'mail.example.com x' | 'cidr:t: not a network address: "mail.example.com"'
            '!192.0.2.0/24 x'    | 'cidr:t: not a network address: "!192.0.2.0/24"'
            '2001:db8:::1 x'     | 'cidr:t: not a network address: "2001:db8:::1"'
            """)
    void badPatternIsATableExceptionNamingTheTable(String line, String message) {
        PostfixTable.TableException e = assertThrows(PostfixTable.TableException.class,
                () -> CidrTable.parse("t", List.of("10.0.0.0/8 OK", line)));
        assertEquals(message, e.getMessage());
    }

    @Test
    void patternWithoutValueIsATableExceptionNamingTheTableAndLine() {
        PostfixTable.TableException e = assertThrows(PostfixTable.TableException.class,
                () -> CidrTable.parse("t", List.of("# c", "10.0.0.0/8")));
        assertEquals("t, line 2: expected \"key whitespace value\", got \"10.0.0.0/8\"", e.getMessage());
    }

    @Test
    void openReadsTheFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("clients.cidr");
        Files.writeString(file, "# clients\n192.0.2.0/24\tREJECT\n\n[2001:db8::]/32 OK\n", StandardCharsets.UTF_8);
        CidrTable t = CidrTable.open(file.toString());
        assertEquals("REJECT", t.lookup(ip("192.0.2.9")).orElseThrow());
        assertEquals("OK", t.lookup(ip("2001:db8::9")).orElseThrow());
    }

    @Test
    void openNamesTheFileOnErrors(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("clients.cidr");
        Files.writeString(file, "192.0.2.0/40 REJECT\n", StandardCharsets.UTF_8);
        PostfixTable.TableException bad = assertThrows(PostfixTable.TableException.class,
                () -> CidrTable.open(file.toString()));
        assertEquals("cidr:" + file + ": bad prefix length in \"192.0.2.0/40\"", bad.getMessage());

        Path missing = dir.resolve("missing.cidr");
        PostfixTable.TableException absent = assertThrows(PostfixTable.TableException.class,
                () -> CidrTable.open(missing.toString()));
        assertTrue(absent.getMessage().startsWith("cidr:" + missing + ": cannot read: "), absent.getMessage());
    }

    /**
     * cidr_table(5): "An IPv4 network address is a sequence of four decimal octets"; Postfix's cidr_match_parse()
     * refuses (and dict_cidr skips, with a warning) anything else. mxgate hands the text to
     * InetAddress.getByName, which takes BSD shorthand: "192.168.1/24" becomes 192.168.0.0/24 (the admin meant
     * 192.168.1.0/24), "10.1" becomes 10.0.0.1. The rows assert that these patterns are refused.
     */
    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @CsvSource({"192.168.1/24", "10.1", "1234", "192.168.1"})
    void ipv4ShorthandIsRefused(String pattern) {
        assertThrows(PostfixTable.TableException.class, () -> CidrTable.parse("t", List.of(pattern + " REJECT")));
    }

    /**
     * An IPv4-mapped IPv6 pattern is a valid IPv6 network for Postfix; InetAddress turns "::ffff:0:0" into the
     * IPv4 address 0.0.0.0, so "/96" is then "bad prefix length" and the whole table fails to load.
     */
    @Disabled("Postfix deviation, reported: IPv4-mapped IPv6 patterns are refused")
    @Test
    void ipv4MappedIpv6PatternLoads() {
        CidrTable.parse("t", List.of("::ffff:0:0/96 REJECT"));
    }

    /**
     * cidr_table(5): "the other bits in the network_address part must be zero"; Postfix skips such a rule with
     * "non-null host address bits in "192.0.2.1/24", perhaps you should use "192.0.2.0/24" instead". mxgate
     * accepts it as 192.0.2.0/24.
     */
    @Disabled("Postfix deviation, reported: host bits set in network/prefix are accepted")
    @Test
    void hostBitsBeyondThePrefixAreRefused() {
        assertThrows(PostfixTable.TableException.class, () -> CidrTable.parse("t", List.of("192.0.2.1/24 REJECT")));
    }
}

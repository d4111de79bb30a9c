package io.mxgate.core.table;

import io.mxgate.core.address.MailAddress;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The lookup keys of access(5) (EMAIL ADDRESS PATTERNS, HOST NAME/ADDRESS PATTERNS) in Postfix's order:
 * check_mail_access / check_domain_access / check_addr_access in smtpd_check.c. Keys are separated by spaces in
 * the expected column.
 */
class AccessKeysTest {

    private static List<String> keys(String spaceSeparated) {
        return List.of(spaceSeparated.split(" "));
    }

    @ParameterizedTest(name = "[{index}] {0}@{1}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            user     | sub.example.com | user@sub.example.com sub.example.com .example.com .com user@
            user     | example.com     | user@example.com example.com .com user@
            User     | EXAMPLE.COM     | User@example.com example.com .com User@
            postmaster | localhost     | postmaster@localhost localhost postmaster@
            a%b      | example.test    | a%b@example.test example.test .test a%b@
            u        | a.b.c.d         | u@a.b.c.d a.b.c.d .b.c.d .c.d .d u@
            """)
    void forAddress(String local, String domain, String expected) {
        assertEquals(keys(expected), AccessKeys.forAddress(new MailAddress(local, domain)));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            sub.example.com   | sub.example.com .example.com .com
            example.com       | example.com .com
            localhost         | localhost
            mx.a.b.example    | mx.a.b.example .a.b.example .b.example .example
            """)
    void forDomain(String domain, String expected) {
        assertEquals(keys(expected), AccessKeys.forDomain(domain));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            192.0.2.5      | 192.0.2.5 192.0.2 192.0 192
            10.0.0.1       | 10.0.0.1 10.0.0 10.0 10
            2001:db8::1    | 2001:db8::1
            ::1            | ::1
            ::ffff:192.0.2.1 | ::ffff:192.0.2.1
            """)
    void forClientAddress(String address, String expected) {
        assertEquals(keys(expected), AccessKeys.forClientAddress(address));
    }

    /**
     * Postfix's check_addr_access() truncates IPv6 addresses too, at ':' (split_at_right(addr, ':')), and access(5)
     * documents it: "A network range is matched by repeatedly truncating the last ':octetpair' from the
     * compressed-form remote IPv6 host address string". mxgate tries the address only.
     */
    @Disabled("Postfix deviation, reported: IPv6 client addresses are not truncated")
    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            2001:db8::1         | 2001:db8::1 2001:db8: 2001:db8 2001
            2001:db8:1:2:3:4:5:6 | 2001:db8:1:2:3:4:5:6 2001:db8:1:2:3:4:5 2001:db8:1:2:3:4 2001:db8:1:2:3 2001:db8:1:2 2001:db8:1 2001:db8 2001
            """)
    void forClientAddressIpv6LikePostfix(String address, String expected) {
        assertEquals(keys(expected), AccessKeys.forClientAddress(address));
    }
}

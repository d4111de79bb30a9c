package io.mxgate.core.address;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link MailAddress#qualified}: Postfix's address_verify_sender (and the like) from configuration. */
class MailAddressQualifiedTest {

    /** address | domain | expected local part | expected domain. */
    @ParameterizedTest(name = "[{index}] {0} @ {1} -> {2}@{3}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            double-bounce       | mx.example.test | double-bounce | mx.example.test
            MAILER-DAEMON       | MX.Example.TEST | MAILER-DAEMON | mx.example.test
            postmaster          | localhost       | postmaster    | localhost
            x@y.test            | mx.example.test | x             | y.test
            Probe.Sender@Y.TEST | mx.example.test | Probe.Sender  | y.test
            '"a@b"@y.test'      | mx.example.test | '"a@b"'       | y.test
            """)
    void qualifies(String address, String domain, String local, String expectedDomain) {
        MailAddress a = MailAddress.qualified(address, domain);
        assertEquals(local, a.localPart());
        assertEquals(expectedDomain, a.domain());
        assertEquals(local + "@" + expectedDomain, a.toString());
    }

    @ParameterizedTest(name = "[{index}] ''{0}'' -> NULL_SENDER")
    @CsvSource(quoteCharacter = '\'', textBlock = """
            '',   mx.example.test
            '<>', mx.example.test
            '<>', ''
            """)
    void nullSender(String address, String domain) {
        MailAddress a = MailAddress.qualified(address, domain);
        assertSame(MailAddress.NULL_SENDER, a);
        assertTrue(a.isNullSender());
        assertEquals("", a.toString());
        assertEquals("<>", a.bracketed());
    }

    @Test
    void doubleBounce() {
        assertEquals("double-bounce@mx.example.test", MailAddress.qualified("double-bounce", "mx.example.test").toString());
        assertEquals(new MailAddress("double-bounce", "mx.example.test"),
                MailAddress.qualified("double-bounce", "mx.example.test"));
    }
}

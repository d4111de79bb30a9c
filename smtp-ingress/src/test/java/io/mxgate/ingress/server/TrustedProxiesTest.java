package io.mxgate.ingress.server;

import io.mxgate.core.table.CidrTable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** mxgate.smtpd-upstream-proxy-trusted-networks as the start reads it: typed, never empty, a bad entry named. */
class TrustedProxiesTest {

    @ParameterizedTest(name = "[{index}] \"{0}\" trusts {1}: {2}")
    @CsvSource(delimiter = '|', textBlock = """
            10.0.0.0/16                  | 10.0.255.1  | true
            10.0.0.0/16                  | 10.1.0.1    | false
            '10.0.0.0/16, 192.0.2.10'    | 192.0.2.10  | true
            '10.0.0.0/16 192.0.2.10'     | 192.0.2.11  | false
            '10.0.0.0/16, 2001:db8::/32' | 2001:db8::5 | true
            0.0.0.0/0                    | 203.0.113.9 | true
            0.0.0.0/0                    | 2001:db8::5 | false
            """)
    void trusts(String spec, String peer, boolean trusted) {
        assertEquals(trusted, CidrTable.contains(SmtpServer.trustedProxies(spec), peer));
    }

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @ValueSource(strings = {"", " ", ", ,"})
    void emptyStopsTheStart(String spec) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SmtpServer.trustedProxies(spec));
        assertEquals("mxgate.smtpd-upstream-proxy-trusted-networks: name the networks the load balancer connects "
                + "from when mxgate.smtpd-upstream-proxy-protocol is set; a PROXY header from any other peer could "
                + "claim a mynetworks address and relay", e.getMessage());
    }

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @CsvSource(delimiter = '|', textBlock = """
            10.0.0.0/33        | 'mxgate.smtpd-upstream-proxy-trusted-networks: bad prefix length in "10.0.0.0/33"'
            'lb.example.test'  | 'mxgate.smtpd-upstream-proxy-trusted-networks: not a network address: "lb.example.test"'
            '10.0.0.0/8, 10.1' | 'mxgate.smtpd-upstream-proxy-trusted-networks: not a network address: "10.1"'
            """)
    void aBadEntryStopsTheStartNamingIt(String spec, String message) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, () -> SmtpServer.trustedProxies(spec))
                .getMessage());
    }
}

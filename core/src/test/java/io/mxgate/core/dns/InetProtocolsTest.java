package io.mxgate.core.dns;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** IPv6 addresses are logged in RFC 5952's short form, as Postfix's inet_ntop gives them. */
class InetProtocolsTest {

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            0:0:0:0:0:0:0:1              | ::1
            2001:db8:0:0:0:0:0:6         | 2001:db8::6
            2001:DB8:0:0:1:0:0:1         | 2001:db8::1:0:0:1
            2001:db8:0:1:0:0:0:1         | 2001:db8:0:1::1
            fe80:0:0:0:0:0:0:0           | fe80::
            0:0:0:0:0:0:0:0              | ::
            2001:db8:1:2:3:4:5:6         | 2001:db8:1:2:3:4:5:6
            2001:0:0:1:2:3:4:5           | 2001::1:2:3:4:5
            2001:db8:0:2:3:4:5:6         | 2001:db8:0:2:3:4:5:6
            127.0.0.1                    | 127.0.0.1
            """)
    void compressesIpv6Literals(String full, String shortForm) {
        assertEquals(shortForm, InetProtocols.printable(full));
    }
}

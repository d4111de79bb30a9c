package io.mxgate.core.transport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class NextHopTest {

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            # spec                        | transport | host          | port | mxLookup | toString
            lmtp:[127.0.0.1]:2424         | lmtp      | 127.0.0.1     | 2424 | false    | lmtp:[127.0.0.1]:2424
            smtp:[10.0.0.20]:25           | smtp      | 10.0.0.20     | 25   | false    | smtp:[10.0.0.20]:25
            smtp:mx.example               | smtp      | mx.example    | 25   | true     | smtp:mx.example:25
            smtp:mx.example:2525          | smtp      | mx.example    | 2525 | true     | smtp:mx.example:2525
            lmtp:host                     | lmtp      | host          | 24   | false    | lmtp:[host]:24
            lmtp:[dovecot]                | lmtp      | dovecot       | 24   | false    | lmtp:[dovecot]:24
            lmtp:inet:[127.0.0.1]:24      | lmtp      | 127.0.0.1     | 24   | false    | lmtp:[127.0.0.1]:24
            lmtp:inet:dovecot:24          | lmtp      | dovecot       | 24   | false    | lmtp:[dovecot]:24
            relay:[h]                     | relay     | h             | 25   | false    | relay:[h]:25
            relay:[MX.Relay.Example]:587  | relay     | mx.relay.example | 587 | false | relay:[mx.relay.example]:587
            SMTP:MX.Example               | smtp      | mx.example    | 25   | true     | smtp:mx.example:25
            lmtp:[::1]:2424               | lmtp      | ::1           | 2424 | false    | lmtp:[::1]:2424
            smtp:[2001:db8::1]            | smtp      | 2001:db8::1   | 25   | false    | smtp:[2001:db8::1]:25
            smtp:[h]:1                    | smtp      | h             | 1    | false    | smtp:[h]:1
            smtp:[h]:65535                | smtp      | h             | 65535 | false   | smtp:[h]:65535
            """)
    void parses(String spec, String transport, String host, int port, boolean mxLookup, String text) {
        NextHop hop = NextHop.parse(spec);
        assertEquals(new NextHop(transport, host, port, mxLookup), hop);
        assertEquals(text, hop.toString());
    }

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            ''                    | 'expected transport:nexthop, got ""'
            smtp                  | 'expected transport:nexthop, got "smtp"'
            :host                 | 'expected transport:nexthop, got ":host"'
            virtual:host          | 'unsupported transport "virtual" in "virtual:host"'
            local:                | 'unsupported transport "local" in "local:"'
            error:5.1.1 no        | 'unsupported transport "error" in "error:5.1.1 no"'
            smtp:                 | 'bad next hop "smtp:"'
            smtp:[]               | 'bad next hop "smtp:[]"'
            smtp:[]:25            | 'bad next hop "smtp:[]:25"'
            smtp::25              | 'bad next hop "smtp::25"'
            smtp:[host            | 'unbalanced [ in "smtp:[host"'
            smtp:[host]x          | 'bad next hop "smtp:[host]x"'
            smtp:[host]:          | 'bad port in "smtp:[host]:"'
            smtp:host:abc         | 'bad port in "smtp:host:abc"'
            smtp:host:            | 'bad port in "smtp:host:"'
            smtp:[host]:99999999999 | 'bad port in "smtp:[host]:99999999999"'
            smtp:host:0           | 'bad next hop "smtp:host:0"'
            smtp:host:65536       | 'bad next hop "smtp:host:65536"'
            smtp:host:-1          | 'bad next hop "smtp:host:-1"'
            """)
    void rejects(String spec, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NextHop.parse(spec));
        assertEquals(message, e.getMessage());
    }

    @Test
    void relayFormForLogs() {
        assertEquals("mx.example[192.0.2.1]:25", NextHop.parse("smtp:mx.example").relay("192.0.2.1"));
        assertEquals("127.0.0.1[127.0.0.1]:2424", NextHop.parse("lmtp:[127.0.0.1]:2424").relay("127.0.0.1"));
    }

    @ParameterizedTest(name = "[{index}] {0} default {1}")
    @CsvSource(delimiter = '|', textBlock = """
            smtp:mx.example          | 2525 | 2525
            smtp:[10.0.0.1]          | 2525 | 2525
            smtp:mx.example:587      | 2525 | 587
            lmtp:[dovecot]           | 2424 | 2424
            smtp:mx.example          | -1   | 25
            lmtp:[dovecot]           | 0    | 24
            """)
    void defaultPortForNextHopsWithout(String spec, int defaultPort, int port) {
        assertEquals(port, NextHop.parse(spec, defaultPort).port());
    }
}

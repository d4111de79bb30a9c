package io.mxgate.importer.postfix;

import io.mxgate.core.postconf.ParameterFile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** $name expansion with Postfix's defaults for names main.cf does not set. */
class MainCfTest {

    static final MainCf MAIN = MainCf.of(ParameterFile.parse("main.cf", List.of(
            "myhostname = mx01.nausch.org",
            "relay_domains = $mydestination, example.net",
            "virtual_alias_maps = hash:${config_directory}/virtual",
            "smtp_fallback_relay = [backup.$(mydomain)]",
            "greeting = ${myorigin?set}${relayhost:none}",
            "money = 5$$",
            "ghost = $no_such_parameter")));

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            myhostname              | mx01.nausch.org
            mydomain                | nausch.org
            mydestination           | mx01.nausch.org, localhost.nausch.org, localhost
            relay_domains           | mx01.nausch.org, localhost.nausch.org, localhost, example.net
            virtual_alias_maps      | hash:/etc/postfix/virtual
            smtp_fallback_relay     | [backup.nausch.org]
            address_verify_sender   | double-bounce
            address_verify_map      | btree:/var/lib/postfix/verify_cache
            greeting                | setnone
            money                   | 5$
            ghost                   | ''
            """)
    void expands(String name, String expected) {
        assertEquals(expected, MAIN.value(name));
    }
}

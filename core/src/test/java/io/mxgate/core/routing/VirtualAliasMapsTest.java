package io.mxgate.core.routing;

import io.mxgate.core.address.AddressParser;
import io.mxgate.core.address.MailAddress;
import io.mxgate.core.table.PostfixTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** virtual_alias_maps, one level, with the loops and duplicates an admin's table can contain. */
class VirtualAliasMapsTest {

    private static final VirtualAliasMaps ALIASES = VirtualAliasMaps.of(List.of(PostfixTable.parse("virtual", List.of(
            "info@alias.test      alice@example.test, bob@example.test",
            "self@alias.test      self@alias.test, copy@example.test",
            "ping@alias.test      pong@alias.test",
            "pong@alias.test      ping@alias.test",
            "dup@alias.test       alice@example.test alice@example.test",
            "@catchall.test       postmaster@example.test",
            "known@catchall.test  known@example.test",
            "bad@alias.test       not-an-address"))));

    private static List<String> rewrite(String... recipients) {
        List<MailAddress> in = Arrays.stream(recipients).map(AddressParser::parseMailbox).toList();
        return ALIASES.rewrite(in).stream().map(r -> r.recipient() + "<" + r.original()).toList();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            info@alias.test          | alice@example.test<info@alias.test bob@example.test<info@alias.test
            self@alias.test          | self@alias.test<self@alias.test copy@example.test<self@alias.test
            ping@alias.test          | pong@alias.test<ping@alias.test
            dup@alias.test           | alice@example.test<dup@alias.test
            anyone@catchall.test     | postmaster@example.test<anyone@catchall.test
            known@catchall.test      | known@example.test<known@catchall.test
            carol@example.test       | carol@example.test<carol@example.test
            """)
    void rewritesOneLevel(String recipient, String expected) {
        assertEquals(Arrays.asList(expected.split(" ")), rewrite(recipient));
    }

    @Test
    void duplicatesAcrossRecipientsAreDroppedKeepingTheFirst() {
        assertEquals(List.of("alice@example.test<info@alias.test", "bob@example.test<info@alias.test"),
                rewrite("info@alias.test", "alice@example.test"));
    }

    @Test
    void anEntryThatIsNoAddressIsAConfigurationError() {
        assertThrows(PostfixTable.TableException.class, () -> rewrite("bad@alias.test"));
    }
}

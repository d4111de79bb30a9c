package io.mxgate.core.domain;

import io.mxgate.core.table.DomainList;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DomainClassesTest {

    private static final String PREFIX = "a domain must be in one address class only: ";

    @ParameterizedTest(name = "[{index}] {3}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            x.example | x.example | ''        | x.example is in both relay_domains and virtual_mailbox_domains
            x.example | ''        | X.example | x.example is in both relay_domains and virtual_alias_domains
            ''        | x.example | x.example | x.example is in both virtual_mailbox_domains and virtual_alias_domains
            'b.example a.example' | 'a.example b.example' | '' | a.example is in both relay_domains and virtual_mailbox_domains; b.example is in both relay_domains and virtual_mailbox_domains
            x.example | x.example | x.example | x.example is in both relay_domains and virtual_mailbox_domains; x.example is in both relay_domains and virtual_alias_domains; x.example is in both virtual_mailbox_domains and virtual_alias_domains
            """)
    void aDomainInTwoClassesIsRejectedNamingBothLists(String relay, String mailbox, String alias, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DomainClasses(DomainList.parse(relay), DomainList.parse(mailbox), DomainList.parse(alias)));
        assertEquals(PREFIX + message, e.getMessage());
    }

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource({
            "relay.example, RELAY, true",
            "RELAY.Example, RELAY, true",
            "other-relay.example, RELAY, true",
            "mbox.example, VIRTUAL_MAILBOX, true",
            "Mbox.EXAMPLE, VIRTUAL_MAILBOX, true",
            "alias.example, VIRTUAL_ALIAS, true",
            "foreign.example, FOREIGN, false",
            "sub.relay.example, FOREIGN, false",
            "example, FOREIGN, false",
            "'', FOREIGN, false",
    })
    void classifies(String domain, AddressClass expected, boolean local) {
        DomainClasses classes = new DomainClasses(DomainList.parse("relay.example, other-relay.example"),
                DomainList.parse("mbox.example"), DomainList.parse("alias.example"));
        assertEquals(expected, classes.classify(domain).result());
        assertEquals(local, classes.classify(domain).result().isLocalDestination());
    }
}

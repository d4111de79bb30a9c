package io.mxgate.core.routing;

import io.mxgate.core.address.AddressParser;
import io.mxgate.core.table.LookupTable;
import io.mxgate.core.table.PostfixTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TransportMapsTest {

    @ParameterizedTest(name = "[{index}] {0} delimiter \"{1}\"")
    @CsvSource(delimiter = '|', textBlock = """
            u@a.b.example.com     | ''  | u@a.b.example.com a.b.example.com .b.example.com .example.com .com *
            u+ext@example.com     | +   | u+ext@example.com u@example.com example.com .com *
            u+ext@example.com     | ''  | u+ext@example.com example.com .com *
            +ext@example.com      | +   | +ext@example.com example.com .com *
            u@localhost           | ''  | u@localhost localhost *
            """)
    void keysInTransportOrder(String address, String delimiter, String keys) {
        assertEquals(Arrays.asList(keys.split(" ")),
                TransportMaps.keys(AddressParser.parseMailbox(address), delimiter));
    }

    @Test
    void everyTableIsAskedForAKeyBeforeTheNextKey() {
        PostfixTable first = PostfixTable.parse("first", List.of("example.com  smtp:[first]"));
        PostfixTable second = PostfixTable.parse("second", List.of("u@example.com  smtp:[second]"));
        var match = new TransportMaps(List.of(LookupTable.of(first), LookupTable.of(second)), "")
                .lookup(AddressParser.parseMailbox("u@example.com")).result();
        assertEquals("u@example.com", match.orElseThrow().key());
        assertEquals(new TransportEntry("smtp", "[second]"), match.get().entry());
    }

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            smtp:[h]:25        | smtp    | [h]:25
            ':'                | ''      | ''
            'smtp:'            | smtp    | ''
            ':[gw]'            | ''      | [gw]
            error:5.1.1 no way | error   | 5.1.1 no way
            discard            | discard | ''
            """)
    void entries(String value, String transport, String nexthop) {
        assertEquals(new TransportEntry(transport, nexthop), TransportEntry.parse(value));
    }
}

package io.mxgate.core.routing;

import io.mxgate.core.address.AddressParser;
import io.mxgate.core.table.LookupTable;
import io.mxgate.core.table.PostfixTable;
import io.vertx.core.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * virtual_alias_maps with cleanup_map1n.c's rules: recursion until an address has no alias or expanded into itself,
 * loops and oversized expansions deferred, duplicates dropped, catch-alls, bare names qualified with myorigin.
 */
class VirtualAliasMapsTest {

    private static final PostfixTable VIRTUAL = PostfixTable.parse("virtual", List.of(
            "info@alias.test      alice@example.test, bob@example.test",
            "self@alias.test      self@alias.test, copy@example.test",
            "ping@alias.test      pong@alias.test",
            "pong@alias.test      ping@alias.test",
            "dup@alias.test       alice@example.test alice@example.test",
            "chain@alias.test     info@alias.test",
            "bare@alias.test      bob",
            "wide@alias.test      a@example.test b@example.test c@example.test d@example.test",
            "# Postfixadmin: every mailbox is an alias of itself, and a catch-all for the rest of its domain",
            "alice@pa.test        alice@pa.test",
            "@pa.test             catchall@pa.test",
            "catchall@pa.test     catchall@pa.test",
            "@catchall.test       postmaster@example.test",
            "known@catchall.test  known@example.test",
            "user@ext.test        target@example.test",
            "@fwd.test            @example.test",
            "bad@alias.test       a@@b"));

    private static final VirtualAliasMaps ALIASES = new VirtualAliasMaps(List.of(LookupTable.of(VIRTUAL)), "+",
            new VirtualAliasMaps.Limits(10, 3, "mx.example.test"));

    private static String expand(String recipient) {
        VirtualAliasMaps.Expansion e = ALIASES.expand(AddressParser.parseMailbox(recipient)).result();
        return e instanceof VirtualAliasMaps.Expansion.Addresses a
                ? String.join(" ", a.addresses().stream().map(Object::toString).toList())
                : "defer: " + ((VirtualAliasMaps.Expansion.Failure) e).text();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            info@alias.test          | alice@example.test bob@example.test
            self@alias.test          | self@alias.test copy@example.test
            dup@alias.test           | alice@example.test
            chain@alias.test         | alice@example.test bob@example.test
            bare@alias.test          | bob@mx.example.test
            alice@pa.test            | alice@pa.test
            nobody@pa.test           | catchall@pa.test
            anyone@catchall.test     | postmaster@example.test
            known@catchall.test      | known@example.test
            user+tag@ext.test        | target@example.test
            carol@other.test         | carol@other.test
            bob+x@fwd.test           | bob+x@example.test
            ping@alias.test          | defer: unreasonable virtual_alias_maps map nesting for ping@alias.test
            wide@alias.test          | defer: unreasonable virtual_alias_maps map expansion size for wide@alias.test
            bad@alias.test           | defer: virtual_alias_maps: bad@alias.test: not an address: "a@@b"
            """)
    void expandsAsCleanupDoes(String recipient, String expected) {
        assertEquals(expected, expand(recipient));
    }

    @Test
    void aTableThatCannotAnswerDefersTheRecipient() {
        LookupTable down = new LookupTable() {
            public String name() {
                return "mysql:/etc/postfix/down.cf";
            }

            public Future<Optional<String>> lookup(String key) {
                return Future.failedFuture(new PostfixTable.TableException("connection refused"));
            }
        };
        VirtualAliasMaps maps = new VirtualAliasMaps(List.of(down), "", VirtualAliasMaps.Limits.POSTFIX);
        VirtualAliasMaps.Expansion e = maps.expand(AddressParser.parseMailbox("a@example.test")).result();
        assertEquals(new VirtualAliasMaps.Expansion.Failure(
                "virtual_alias_maps map lookup problem for a@example.test: connection refused"), e);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            u@example.com     | ''  | u@example.com @example.com
            u+ext@example.com | +   | u+ext@example.com u@example.com @example.com
            """)
    void keysInVirtualOrder(String address, String delimiter, String keys) {
        assertEquals(Arrays.asList(keys.split(" ")), VirtualAliasMaps.keys(AddressParser.parseMailbox(address), delimiter));
    }
}

package io.mxgate.verify.cache;

import io.mxgate.core.verify.VerifyStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class VerifyEntryTest {

    static Stream<VerifyEntry> entries() {
        return Stream.of(
                new VerifyEntry(VerifyStatus.OK, 0, 1_700_000_000_000L, "250 2.1.5 Ok"),
                new VerifyEntry(VerifyStatus.DEFER, 1_700_000_000_123L, 1_699_000_000_000L,
                        "host mx.example.test[192.0.2.1]:25 said: 451 4.3.0 try: again (in reply to RCPT TO command)"),
                new VerifyEntry(VerifyStatus.BOUNCE, 0, 1L,
                        "host 127.0.0.1[127.0.0.1] said: 550 5.1.1 <ghost@example.test> User doesn't exist: ghost@example.test (in reply to RCPT TO command)"),
                new VerifyEntry(VerifyStatus.TODO, 1_700_000_000_000L, 0, "Address verification in progress"),
                new VerifyEntry(VerifyStatus.OK, Long.MAX_VALUE, Long.MAX_VALUE, ""),
                new VerifyEntry(VerifyStatus.BOUNCE, 0, 42, "Ümlaut\ttab, comma; colon: \"quotes\""));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("entries")
    void hashRoundTrip(VerifyEntry e) {
        assertEquals(e, VerifyEntry.fromHash(e.toHash()));
    }

    @Test
    void hashFields() {
        VerifyEntry e = new VerifyEntry(VerifyStatus.DEFER, 12, 34, "text: with colon");
        assertEquals(Map.of("status", "DEFER", "probed", "12", "updated", "34", "text", "text: with colon"), e.toHash());
    }

    @Test
    void withProbedKeepsEverythingElse() {
        VerifyEntry e = new VerifyEntry(VerifyStatus.OK, 0, 34, "250 2.1.5 Ok");
        assertEquals(new VerifyEntry(VerifyStatus.OK, 99, 34, "250 2.1.5 Ok"), e.withProbed(99));
    }

    static Map<String, String> hash(String... kv) {
        Map<String, String> h = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            h.put(kv[i], kv[i + 1]);
        }
        return h;
    }

    static Stream<Arguments> unreadable() {
        return Stream.of(
                arguments("null map", null),
                arguments("empty map (HGETALL of a missing key)", hash()),
                arguments("status missing", hash("probed", "0", "updated", "1", "text", "x")),
                arguments("probed missing", hash("status", "OK", "updated", "1", "text", "x")),
                arguments("updated missing", hash("status", "OK", "probed", "0", "text", "x")),
                arguments("only text", hash("text", "x")),
                arguments("unknown status", hash("status", "MAYBE", "probed", "0", "updated", "1", "text", "x")),
                arguments("lower-case status", hash("status", "ok", "probed", "0", "updated", "1", "text", "x")),
                arguments("numeric status (Postfix's raw form)", hash("status", "0", "probed", "0", "updated", "1", "text", "x")),
                arguments("empty status", hash("status", "", "probed", "0", "updated", "1", "text", "x")),
                arguments("probed not a number", hash("status", "OK", "probed", "soon", "updated", "1", "text", "x")),
                arguments("probed empty", hash("status", "OK", "probed", "", "updated", "1", "text", "x")),
                arguments("updated fractional", hash("status", "OK", "probed", "0", "updated", "1.5", "text", "x")),
                arguments("updated overflows long", hash("status", "OK", "probed", "0", "updated", "99999999999999999999", "text", "x")),
                arguments("updated padded", hash("status", "OK", "probed", "0", "updated", " 1", "text", "x")),
                arguments("Postfix's colon-joined value in one field", hash("value", "0:0:1:250 2.1.5 Ok")));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("unreadable")
    void unreadableHashIsNotFound(String name, Map<String, String> h) {
        assertNull(VerifyEntry.fromHash(h));
    }

    @Test
    void missingTextReadsAsEmpty() {
        assertEquals(new VerifyEntry(VerifyStatus.BOUNCE, 5, 6, ""),
                VerifyEntry.fromHash(hash("status", "BOUNCE", "probed", "5", "updated", "6")));
    }

    @Test
    void extraFieldsAreIgnored() {
        assertEquals(new VerifyEntry(VerifyStatus.OK, 5, 6, "t"),
                VerifyEntry.fromHash(hash("status", "OK", "probed", "5", "updated", "6", "text", "t", "owner", "x")));
    }
}

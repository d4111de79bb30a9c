package io.mxgate.core.table;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class PostfixTableTest {

    private static Map<String, String> map(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    static Stream<Arguments> texts() {
        return Stream.of(
                arguments("one entry", List.of("example.test OK"), map("example.test", "OK")),
                arguments("tab separated", List.of("example.test\tsmtp:[10.0.0.20]:25"),
                        map("example.test", "smtp:[10.0.0.20]:25")),
                arguments("comments and blank lines", List.of("# transport map", "", "   ", "a.example lmtp:[127.0.0.1]:2424",
                        "   # indented comment is no continuation", "\t", "b.example relay:[mx.b.example]"),
                        map("a.example", "lmtp:[127.0.0.1]:2424", "b.example", "relay:[mx.b.example]")),
                arguments("continuation lines", List.of("key first", "  second", "\tthird", "other x"),
                        map("key", "first second third", "other", "x")),
                arguments("continuation gives the value", List.of("key", "  value"), map("key", "value")),
                arguments("continuation across a comment", List.of("key a", "# c", " b"), map("key", "a b")),
                arguments("keys are case-folded, values are not", List.of("Example.COM Reject Me"),
                        map("example.com", "Reject Me")),
                arguments("inner whitespace of the value is kept", List.of("k  a   b  "), map("k", "a   b")),
                arguments("a hash in a value is text", List.of("k v # not a comment"), map("k", "v # not a comment")),
                arguments("empty", List.of(), map()),
                arguments("only comments", List.of("# a", "#b"), map()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("texts")
    void parses(String name, List<String> lines, Map<String, String> expected) {
        assertEquals(expected, PostfixTable.parse("t", lines).entries());
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource({"example.com", "EXAMPLE.COM", "Example.Com"})
    void lookupIsCaseInsensitive(String key) {
        PostfixTable t = PostfixTable.parse("t", List.of("Example.COM OK"));
        assertEquals(Optional.of("OK"), t.lookup(key));
        assertEquals(Optional.empty(), t.lookup("sub." + key));
    }

    static Stream<Arguments> badTexts() {
        return Stream.of(
                arguments(List.of("lonely"), "t, line 1: expected \"key whitespace value\", got \"lonely\""),
                arguments(List.of("a b", "# c", "", "lonely", "d e"),
                        "t, line 4: expected \"key whitespace value\", got \"lonely\""),
                arguments(List.of("a b", "lonely   ", "   "), "t, line 2: expected \"key whitespace value\", got \"lonely\""),
                arguments(List.of("  orphan continuation"), "t, line 1: continuation line without a key"),
                arguments(List.of("# c", "", "\tx y"), "t, line 3: continuation line without a key"));
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @MethodSource("badTexts")
    void rejectsBadLinesNamingTheLine(List<String> lines, String message) {
        PostfixTable.TableException e = assertThrows(PostfixTable.TableException.class, () -> PostfixTable.parse("t", lines));
        assertEquals(message, e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"", "hash:", "btree:", "texthash:", "lmdb:", "cdb:"})
    void readsEveryTextTypeFromTheSourceFile(String type, @TempDir Path dir) throws IOException {
        Path file = dir.resolve("transport");
        Files.writeString(file, "# t\nA.example lmtp:[127.0.0.1]:2424\nb.example smtp:mx.b.example\n", StandardCharsets.UTF_8);
        PostfixTable t = PostfixTable.open(type + file);
        assertEquals(type + file, t.name());
        assertEquals(map("a.example", "lmtp:[127.0.0.1]:2424", "b.example", "smtp:mx.b.example"), t.entries());
    }

    @Test
    void fileErrorsNameTheTableAndLine(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("bad");
        Files.writeString(file, "a.example OK\n\nb.example\n", StandardCharsets.UTF_8);
        PostfixTable.TableException e = assertThrows(PostfixTable.TableException.class, () -> PostfixTable.open("hash:" + file));
        assertEquals("hash:" + file + ", line 3: expected \"key whitespace value\", got \"b.example\"", e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            mysql:/etc/postfix/mysql-virtual.cf | mysql
            ldap:/etc/postfix/ldap.cf          | ldap
            pcre:/etc/postfix/header_checks    | pcre
            regexp:/etc/postfix/x              | regexp
            HASH:/etc/postfix/transport        | HASH
            proxy:hash:/etc/postfix/x          | proxy
            """)
    void unsupportedTypesAreAClearError(String name, String type) {
        PostfixTable.TableException e = assertThrows(PostfixTable.TableException.class, () -> PostfixTable.open(name));
        assertEquals(name + ": unsupported table type \"" + type
                + "\" (supported: hash, btree, texthash, lmdb, cdb, all read as text)", e.getMessage());
    }

    @Test
    void missingFileIsAClearError(@TempDir Path dir) {
        Path missing = dir.resolve("nope");
        PostfixTable.TableException e = assertThrows(PostfixTable.TableException.class, () -> PostfixTable.open("hash:" + missing));
        assertEquals("hash:" + missing + ": cannot read " + missing + ": " + missing, e.getMessage());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "/etc/postfix/transport, /etc/postfix/transport",
            "hash:/etc/postfix/transport, /etc/postfix/transport",
            "texthash:relative/file, relative/file",
    })
    void pathOf(String name, String path) {
        assertEquals(path, PostfixTable.pathOf(name));
    }
}

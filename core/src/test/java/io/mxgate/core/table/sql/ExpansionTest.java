package io.mxgate.core.table.sql;

import io.mxgate.core.table.PostfixTable.TableException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Query and result_format expansion as mysql_table(5)/pgsql_table(5) describe it and db_common_expand() does it.
 * The quote function marks what would be SQL-escaped with angle brackets; "-" is a suppressed query (no lookup,
 * "not found") or a skipped result value.
 */
class ExpansionTest {

    private static String marked(String s) {
        return "<" + s + ">";
    }

    @ParameterizedTest(name = "[{index}] query \"{0}\", key \"{1}\" -> {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            %s              | user@example.com      | <user@example.com>
            %u              | user@example.com      | <user>
            %d              | user@example.com      | <example.com>
            %d              | user                  | -
            %d              | user@                 | -
            %u              | @example.com          | -
            %u              | user                  | <user>
            %s              | @example.com          | <@example.com>
            %d              | @example.com          | <example.com>
            %u@%d           | a@b@c.org             | <a@b>@<c.org>
            %%s             | x                     | %s
            100%% %s        | a                     | 100% <a>
            %1.%2.%3        | u@mail.example.com    | <com>.<example>.<mail>
            %3              | u@example.com         | -
            %1              | u                     | -
            %2              | u@example..com        | <example>
            %S %U %D        | u@x.org               | <u@x.org> <u> <x.org>
            %U              | plain                 | <plain>
            "SELECT goto FROM alias WHERE address='%s' AND active = '1'" | a@x.org | "SELECT goto FROM alias WHERE address='<a@x.org>' AND active = '1'"
            """)
    void query(String template, String key, String expected) {
        Optional<String> q = Expansion.of(template, "%s").query(key, ExpansionTest::marked);
        assertEquals(expected.equals("-") ? Optional.empty() : Optional.of(expected), q);
    }

    @ParameterizedTest(name = "[{index}] result_format \"{0}\", value \"{1}\", key \"{2}\" -> {3}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            %s          | v                 | k                   | v
            smtp:[%s]   | mx.example.com    | k                   | smtp:[mx.example.com]
            %u          | a@b               | k                   | a
            %u          | a                 | k                   | a
            %u          | @b                | k                   | -
            %d          | a@b               | k                   | b
            %d          | a                 | k                   | -
            %S          | v                 | u@x.org             | u@x.org
            %U/%s       | v                 | u@x.org             | u/v
            %D          | v                 | u@x.org             | x.org
            %2          | v                 | u@mail.example.com  | example
            %%%s        | v                 | k                   | %v
            %s          | ""                | k                   | -
            """)
    void result(String format, String value, String key, String expected) {
        StringBuilder out = new StringBuilder();
        boolean appended = Expansion.of("%s", format).appendResult(value, key, out);
        assertEquals(!expected.equals("-"), appended);
        assertEquals(expected.equals("-") ? "" : expected, out.toString());
    }

    @Test
    void valuesAreJoinedWithCommasAndNullsSkipped() {
        Expansion e = Expansion.of("%s", "%s");
        StringBuilder out = new StringBuilder();
        assertTrue(e.appendResult("a@x.org", "k", out));
        assertFalse(e.appendResult(null, "k", out));
        assertTrue(e.appendResult("b@x.org", "k", out));
        assertEquals("a@x.org,b@x.org", out.toString());
    }

    @Test
    void keyFieldsOfTheResultFormatSuppressTheQuery() {
        // "queries whose key does not contain all the information specified in the result template are suppressed"
        assertEquals(Optional.empty(), Expansion.of("%s", "%D").query("user", ExpansionTest::marked));
        assertEquals(Optional.empty(), Expansion.of("%s", "%3").query("u@example.com", ExpansionTest::marked));
        assertEquals(Optional.of("<u@x.org>"), Expansion.of("%s", "%D").query("u@x.org", ExpansionTest::marked));
        // a lower-case %d in the result format reads the value, not the key
        assertEquals(Optional.of("<user>"), Expansion.of("%s", "%d").query("user", ExpansionTest::marked));
    }

    @ParameterizedTest(name = "[{index}] \"{0}\" / \"{1}\" is refused")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            %x          | %s
            "abc %"     | %s
            %0          | %s
            %s          | %q
            %s          | "%"
            """)
    void invalidTemplates(String query, String result) {
        assertThrows(TableException.class, () -> Expansion.of(query, result));
    }
}

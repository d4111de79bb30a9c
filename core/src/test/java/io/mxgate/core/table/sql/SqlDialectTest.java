package io.mxgate.core.table.sql;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * SQL escaping of expanded keys: mysql_real_escape_string() (default sql_mode, which SqlTable enforces) and
 * PQescapeStringConn() with standard_conforming_strings on (which SqlTable sets). Input and output are written
 * with Java escapes ({@code \\uXXXX} etc. are decoded before the call).
 */
class SqlDialectTest {

    @ParameterizedTest(name = "[{index}] {0}: \"{1}\" -> \"{2}\"")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            MYSQL | user@example.com  | user@example.com
            MYSQL | a'b@x             | a\\\\'b@x
            MYSQL | a\\\\b            | a\\\\\\\\b
            MYSQL | \\\\'             | \\\\\\\\\\\\'
            MYSQL | a"b               | a\\\\"b
            MYSQL | a\\nb\\rc         | a\\\\nb\\\\rc
            MYSQL | a\\u0000b         | a\\\\0b
            MYSQL | a\\u001ab         | a\\\\Zb
            MYSQL | jürgen@exämple.de | jürgen@exämple.de
            PGSQL | user@example.com  | user@example.com
            PGSQL | a'b@x             | a''b@x
            PGSQL | a\\\\b            | a\\\\b
            PGSQL | \\\\'             | \\\\''
            PGSQL | a"b               | a"b
            PGSQL | ''                | ''''
            """)
    void escape(SqlDialect dialect, String input, String expected) {
        assertEquals(unescape(expected), dialect.escape(unescape(input)));
    }

    /** {@code \\} , {@code \n}, {@code \r}, {@code \\uXXXX} as in Java source. */
    private static String unescape(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\') {
                out.append(c);
                continue;
            }
            char n = s.charAt(++i);
            switch (n) {
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 'u' -> {
                    out.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
                    i += 4;
                }
                default -> out.append(n);
            }
        }
        return out.toString();
    }
}

package io.mxgate.core.table.sql;

import io.mxgate.core.postconf.ParameterFile;
import io.mxgate.core.table.PostfixTable.TableException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Table files as mysql_table(5) and pgsql_table(5) define them, and what mxgate refuses of them. */
class SqlTableConfigTest {

    private static SqlTableConfig parse(SqlDialect dialect, String... lines) {
        return SqlTableConfig.parse(dialect, ParameterFile.parse("t.cf", Arrays.asList(lines)));
    }

    @ParameterizedTest(name = "[{index}] {0} hosts = \"{1}\" -> {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            MYSQL | db1 db2:3307                        | db1:3306 db2:3307
            MYSQL | inet:db1:3307, unix:/run/x.sock     | db1:3307 unix:/run/x.sock
            MYSQL | ""                                  | unix:/run/mysqld/mysqld.sock
            MYSQL | localhost                           | unix:/run/mysqld/mysqld.sock
            MYSQL | inet:LocalHost:3306                 | unix:/run/mysqld/mysqld.sock
            MYSQL | 127.0.0.1                           | 127.0.0.1:3306
            PGSQL | ""                                  | localhost:5432
            PGSQL | /var/run/postgresql                 | unix:/var/run/postgresql
            PGSQL | unix:/var/run/postgresql            | unix:/var/run/postgresql
            PGSQL | inet:pg:6432,pg2                    | pg:6432 pg2:5432
            """)
    void hosts(SqlDialect dialect, String hosts, String expected) {
        SqlTableConfig c = parse(dialect, "hosts = " + hosts, "dbname = postfix", "query = SELECT 1");
        assertEquals(expected, String.join(" ", c.hosts().stream().map(Object::toString).toList()));
    }

    @Test
    void postfixadminFile() {
        SqlTableConfig c = parse(SqlDialect.MYSQL,
                "user = postfix", "password = password", "hosts = localhost", "dbname = postfix",
                "query = SELECT goto FROM alias WHERE address='%s' AND active = '1'", "#expansion_limit = 100");
        assertEquals("postfix", c.user());
        assertEquals("password", c.password());
        assertEquals("postfix", c.dbname());
        assertEquals(0, c.expansionLimit());
        assertEquals(DomainFilter.ANY, c.domain());
        assertEquals(Duration.ofSeconds(60), c.retryInterval());
        assertEquals("SELECT goto FROM alias WHERE address='a\\'b@x' AND active = '1'",
                c.expansion().query("a'b@x", c.dialect()::escape).orElseThrow());
    }

    @Test
    void unknownParametersAreIgnoredAsPostfixDoes() {
        SqlTableConfig c = parse(SqlDialect.PGSQL, "dbname = d", "query = SELECT 1", "no_such_thing = 1",
                "expansion_limit = 2", "retry_interval = 5", "require_result_set = no");
        assertEquals(2, c.expansionLimit());
        assertEquals(Duration.ofSeconds(5), c.retryInterval());
    }

    @Test
    void passwordFile(@TempDir Path dir) throws Exception {
        Path secret = dir.resolve("password");
        Files.writeString(secret, "s3cr'et\n");
        SqlTableConfig c = parse(SqlDialect.MYSQL, "dbname = d", "query = SELECT 1", "password_file = " + secret);
        assertEquals("s3cr'et", c.password());
    }

    @ParameterizedTest(name = "[{index}] refused: {0} ({1})")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            "table = alias; select_field = goto; where_field = address"  | use query
            "query = SELECT 1; tls_CAfile = /etc/ssl/ca.pem"             | TLS
            "query = SELECT 1; option_file = /etc/my.cnf"                | option files
            "query = SELECT 1; charset = latin1"                         | UTF-8
            "query = SELECT 1; hosts = postgresql://db/x"                | URIs
            "query = SELECT 1; hosts = db:mysql"                         | port must be a number
            "query = SELECT 1; hosts = db:0"                             | no such port
            "query = SELECT 1; password = a; password_file = /x"         | both set
            "query = SELECT 1; password_file = /nonexistent/pw"          | cannot read
            "query = SELECT 1; domain = example.com, hash:/etc/x"        | not files or lookup tables
            "query = SELECT %x"                                          | invalid query template
            "query = SELECT 1; result_format = %y"                       | invalid result_format
            "query = SELECT 1; expansion_limit = -1"                     | expansion_limit
            "query = SELECT 1; expansion_limit = many"                   | expansion_limit
            "query ="                                                    | empty query
            """)
    void refused(String parameters, String message) {
        String[] lines = (parameters + "; dbname = d").split("; ");
        TableException e = assertThrows(TableException.class, () -> parse(SqlDialect.MYSQL, lines));
        assertTrue(e.getMessage().contains(message), e.getMessage());
        assertTrue(e.getMessage().startsWith("t.cf: "), e.getMessage());
    }

    @Test
    void dbnameIsRequired() {
        for (SqlDialect d : SqlDialect.values()) {
            TableException e = assertThrows(TableException.class, () -> parse(d, "query = SELECT 1"));
            assertEquals("t.cf: dbname is not set", e.getMessage());
        }
    }

    @ParameterizedTest(name = "[{index}] domain = \"{0}\", key {1} -> {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            ""                                      | user                  | true
            example.com                             | user@example.com      | true
            example.com                             | user@EXAMPLE.com      | true
            example.com                             | user@sub.example.com  | false
            example.com                             | user                  | false
            example.com                             | @example.com          | false
            example.com                             | example.com           | false
            "example.com, other.org"                | u@other.org           | true
            "!bad.example.com bad.example.com"      | u@bad.example.com     | false
            "example.com !example.com"              | u@example.com         | true
            """)
    void domain(String domain, String key, boolean admitted) {
        assertEquals(admitted, DomainFilter.parse("t.cf", domain).admits(key));
    }

    @Test
    void foldsAsciiOnly() {
        assertEquals("user@example.com", SqlTable.foldAscii("User@Example.COM"));
        assertEquals("Ünï@x", SqlTable.foldAscii("Ünï@X"));
    }
}

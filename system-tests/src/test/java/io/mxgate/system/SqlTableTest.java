package io.mxgate.system;

import io.mxgate.core.table.PostfixTable.TableException;
import io.mxgate.core.table.sql.SqlDialect;
import io.mxgate.core.table.sql.SqlOptions;
import io.mxgate.core.table.sql.SqlTable;
import io.mxgate.testkit.SqlServer;
import io.mxgate.testkit.SqlServer.Kind;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@link SqlTable} against a real MariaDB and a real PostgreSQL holding Postfixadmin's schema and data, through
 * Postfixadmin's six documented table files: the answers Postfix would give, hostile keys, and an outage (the
 * server SIGKILLed, then started again). Each server is started once for the class; the outage tests run last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SqlTableTest {

    private static final SqlOptions OPTIONS = new SqlOptions(2, Duration.ofSeconds(3), Duration.ofSeconds(5),
            Duration.ofSeconds(60), Duration.ofHours(1), 1000);

    private static Vertx vertx;
    private static final Map<Kind, SqlServer> servers = new EnumMap<>(Kind.class);
    private static final List<SqlTable> opened = new ArrayList<>();

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        for (Kind kind : Kind.values()) {
            SqlServer s = SqlServer.start(kind);
            servers.put(kind, s);
            SqlDialect d = SqlDialect.ofType(kind.tableType());
            s.sql(String.join("\n",
                    "INSERT INTO domain (domain, transport, active) VALUES ('example.com', 'virtual', '1'),",
                    "  ('example.org', 'virtual', '1'), ('alias.example.net', 'virtual', '1'),",
                    "  ('off.example.com', 'virtual', '0');",
                    "INSERT INTO mailbox (username, password, name, maildir, local_part, domain, active) VALUES",
                    "  ('alice@example.com', 'x', 'Alice', 'alice/', 'alice', 'example.com', '1'),",
                    "  ('bob@example.com', 'x', 'Bob', 'bob/', 'bob', 'example.com', '0');",
                    "INSERT INTO alias (address, goto, domain, active) VALUES",
                    "  ('alice@example.com', 'alice@example.com', 'example.com', '1'),",
                    "  ('sales@example.com', 'alice@example.com,carol@example.org', 'example.com', '1'),",
                    "  ('old@example.com', 'alice@example.com', 'example.com', '0'),",
                    "  ('@example.com', 'postmaster@example.com', 'example.com', '1'),",
                    // the hostile keys' own rows, written with the server's own escaping
                    "  ('" + d.escape("a'b@example.com") + "', 'quote@example.org', 'example.com', '1'),",
                    "  ('" + d.escape("a\\b@example.com") + "', 'backslash@example.org', 'example.com', '1');",
                    "INSERT INTO alias_domain (alias_domain, target_domain, active) VALUES",
                    "  ('alias.example.net', 'example.com', '1');"));
        }
    }

    @AfterAll
    static void stop() {
        opened.forEach(t -> t.close().toCompletionStage().toCompletableFuture().join());
        servers.values().forEach(SqlServer::close);
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    private static SqlTable open(Kind kind, String map, SqlOptions options, String... extra) {
        SqlTable t = SqlTable.open(servers.get(kind).tableName(map, extra), vertx, options);
        opened.add(t);
        return t;
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @Order(1)
    @ParameterizedTest(name = "[{index}] {0}: {1} \"{2}\" -> {3}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            MARIADB  | virtual_domains_maps               | example.com               | example.com
            MARIADB  | virtual_domains_maps               | Example.COM               | example.com
            MARIADB  | virtual_domains_maps               | off.example.com           | -
            MARIADB  | virtual_domains_maps               | nowhere.test              | -
            MARIADB  | virtual_alias_maps                 | sales@example.com         | alice@example.com,carol@example.org
            MARIADB  | virtual_alias_maps                 | SALES@Example.com         | alice@example.com,carol@example.org
            MARIADB  | virtual_alias_maps                 | old@example.com           | -
            MARIADB  | virtual_alias_maps                 | @example.com              | postmaster@example.com
            MARIADB  | virtual_alias_domain_maps          | sales@alias.example.net   | alice@example.com,carol@example.org
            MARIADB  | virtual_alias_domain_maps          | nobody@alias.example.net  | -
            MARIADB  | virtual_alias_domain_maps          | alias.example.net         | -
            MARIADB  | virtual_alias_domain_catchall_maps | nobody@alias.example.net  | postmaster@example.com
            MARIADB  | virtual_alias_domain_catchall_maps | nobody@example.org        | -
            MARIADB  | virtual_mailbox_maps               | alice@example.com         | example.com/alice/
            MARIADB  | virtual_mailbox_maps               | bob@example.com           | -
            MARIADB  | virtual_alias_domain_mailbox_maps  | alice@alias.example.net   | example.com/alice/
            MARIADB  | virtual_alias_domain_mailbox_maps  | bob@alias.example.net     | -
            POSTGRES | virtual_domains_maps               | example.com               | example.com
            POSTGRES | virtual_domains_maps               | Example.COM               | example.com
            POSTGRES | virtual_domains_maps               | off.example.com           | -
            POSTGRES | virtual_domains_maps               | nowhere.test              | -
            POSTGRES | virtual_alias_maps                 | sales@example.com         | alice@example.com,carol@example.org
            POSTGRES | virtual_alias_maps                 | SALES@Example.com         | alice@example.com,carol@example.org
            POSTGRES | virtual_alias_maps                 | old@example.com           | -
            POSTGRES | virtual_alias_maps                 | @example.com              | postmaster@example.com
            POSTGRES | virtual_alias_domain_maps          | sales@alias.example.net   | alice@example.com,carol@example.org
            POSTGRES | virtual_alias_domain_maps          | nobody@alias.example.net  | -
            POSTGRES | virtual_alias_domain_maps          | alias.example.net         | -
            POSTGRES | virtual_alias_domain_catchall_maps | nobody@alias.example.net  | postmaster@example.com
            POSTGRES | virtual_alias_domain_catchall_maps | nobody@example.org        | -
            POSTGRES | virtual_mailbox_maps               | alice@example.com         | example.com/alice/
            POSTGRES | virtual_mailbox_maps               | bob@example.com           | -
            POSTGRES | virtual_alias_domain_mailbox_maps  | alice@alias.example.net   | example.com/alice/
            POSTGRES | virtual_alias_domain_mailbox_maps  | bob@alias.example.net     | -
            """)
    void postfixadminQueries(Kind kind, String map, String key, String expected) throws Exception {
        SqlTable table = open(kind, map, OPTIONS);
        assertEquals(expected.equals("-") ? Optional.empty() : Optional.of(expected), await(table.lookup(key)));
    }

    @Order(2)
    @ParameterizedTest(name = "[{index}] {0}: \"{1}\" -> {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            MARIADB  | a'b@example.com                   | quote@example.org
            MARIADB  | a\\b@example.com                  | backslash@example.org
            MARIADB  | x' OR '1'='1@example.com          | -
            MARIADB  | \\' OR 1=1 -- @example.com        | -
            MARIADB  | x'; DROP TABLE alias; --@example.com | -
            MARIADB  | "x\\"@example.com                 | -
            POSTGRES | a'b@example.com                   | quote@example.org
            POSTGRES | a\\b@example.com                  | backslash@example.org
            POSTGRES | x' OR '1'='1@example.com          | -
            POSTGRES | \\' OR 1=1 -- @example.com        | -
            POSTGRES | x'; DROP TABLE alias; --@example.com | -
            POSTGRES | "x\\"@example.com                 | -
            """)
    void hostileKeys(Kind kind, String key, String expected) throws Exception {
        SqlTable table = open(kind, "virtual_alias_maps", OPTIONS);
        assertEquals(expected.equals("-") ? Optional.empty() : Optional.of(expected), await(table.lookup(key)));
        assertEquals(Optional.of("alice@example.com"), await(table.lookup("alice@example.com")), "alias survived");
    }

    @Order(3)
    @ParameterizedTest
    @EnumSource(Kind.class)
    void expansionLimitExceededIsALookupError(Kind kind) throws Exception {
        SqlTable table = open(kind, "virtual_domains_maps", OPTIONS,
                "query = SELECT domain FROM domain WHERE '%s' = '%s' ORDER BY domain", "expansion_limit = 2");
        ExecutionException e = assertThrows(ExecutionException.class, () -> await(table.lookup("any")));
        assertInstanceOf(TableException.class, e.getCause());
        SqlTable three = open(kind, "virtual_domains_maps", OPTIONS,
                "query = SELECT domain FROM domain WHERE active = '1' ORDER BY domain LIMIT 2", "expansion_limit = 2");
        assertEquals(Optional.of("alias.example.net,example.com"), await(three.lookup("any")));
    }

    /** The database crashes: cached keys keep their answer (stale-if-error), others fail; then it comes back. */
    @Order(10)
    @ParameterizedTest
    @EnumSource(Kind.class)
    void outage(Kind kind) throws Exception {
        // a TTL of zero: every lookup asks the database, so what the outage serves can only come from stale-if-error
        SqlTable table = open(kind, "virtual_alias_maps", new SqlOptions(2, Duration.ofSeconds(3),
                Duration.ofSeconds(5), Duration.ZERO, Duration.ofHours(1), 1000));
        assertEquals(Optional.of("alice@example.com,carol@example.org"), await(table.lookup("sales@example.com")));
        assertEquals(Optional.empty(), await(table.lookup("nobody@example.com")));

        SqlServer server = servers.get(kind);
        server.kill();
        assertEquals(Optional.of("alice@example.com,carol@example.org"), await(table.lookup("sales@example.com")));
        assertEquals(Optional.empty(), await(table.lookup("nobody@example.com")), "negative answers are cached too");
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> await(table.lookup("alice@example.com")));
        assertInstanceOf(TableException.class, e.getCause());

        server.start();
        assertEquals(Optional.of("alice@example.com"), await(table.lookup("alice@example.com")));
        server.sql("UPDATE alias SET goto = 'new@example.org' WHERE address = 'sales@example.com'");
        assertEquals(Optional.of("new@example.org"), await(table.lookup("sales@example.com")));
    }
}

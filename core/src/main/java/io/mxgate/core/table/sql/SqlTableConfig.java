package io.mxgate.core.table.sql;

import io.mxgate.core.postconf.ParameterFile;
import io.mxgate.core.table.PostfixTable.TableException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A {@code mysql:} or {@code pgsql:} table file (mysql_table(5), pgsql_table(5)) read into what {@link SqlTable}
 * needs. As in Postfix, parameters the table type does not know are ignored; parameters Postfix knows but mxgate
 * cannot honour are refused with the reason, so that a table never silently behaves otherwise than it says.
 *
 * <p>One mxgate addition: {@code password_file = /path}, the password read from a file (a mounted Kubernetes
 * Secret) instead of written in the table file. Trailing newlines in the file are dropped.
 *
 * @param retryInterval how long a host that failed is skipped when there are others ({@code retry_interval})
 * @param idleInterval  how long an idle connection is kept ({@code idle_interval})
 */
public record SqlTableConfig(String file, SqlDialect dialect, List<Host> hosts, String user, String password,
                             String dbname, Expansion expansion, DomainFilter domain, int expansionLimit,
                             Duration retryInterval, Duration idleInterval) {

    /** One entry of {@code hosts}. */
    public sealed interface Host permits Inet, Unix {
    }

    /** {@code host}, {@code host:port}, {@code inet:host:port}. */
    public record Inet(String host, int port) implements Host {
        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    /**
     * {@code unix:/path}: MySQL's socket file, PostgreSQL's socket directory. Vert.x reaches UNIX sockets only with
     * its native transport; without it the connection fails and the table answers with a lookup error.
     */
    public record Unix(String path) implements Host {
        @Override
        public String toString() {
            return "unix:" + path;
        }
    }

    /** Where libmysqlclient on Debian connects for {@code localhost}. */
    static final String MYSQL_LOCALHOST_SOCKET = "/run/mysqld/mysqld.sock";

    private static final List<String> LEGACY = List.of("table", "select_field", "where_field",
            "additional_conditions", "select_function");
    private static final List<String> TLS = List.of("tls_cert_file", "tls_key_file", "tls_CAfile", "tls_CApath",
            "tls_ciphers", "tls_verify_cert");
    private static final Set<String> UTF8 = Set.of("utf8mb4", "utf8", "utf8mb3", "UTF8", "UTF-8", "utf-8");

    public SqlTableConfig {
        hosts = List.copyOf(hosts);
    }

    public static SqlTableConfig read(SqlDialect dialect, Path file) {
        return parse(dialect, ParameterFile.read(file));
    }

    public static SqlTableConfig parse(SqlDialect dialect, ParameterFile cf) {
        String file = cf.name();
        String query = cf.get("query", null);
        if (query == null) {
            String legacy = LEGACY.stream().filter(cf.parameters()::containsKey).findFirst().orElse(null);
            throw new TableException(file + ": no query" + (legacy == null ? "" : " (" + legacy + " is the legacy "
                    + "select_field/table/where_field form, which mxgate does not read: use query, e.g. query = "
                    + "SELECT select_field FROM table WHERE where_field = '%s' additional_conditions)"));
        }
        if (query.isEmpty()) {
            throw new TableException(file + ": empty query");
        }
        for (String p : TLS) {
            if (cf.parameters().containsKey(p)) {
                throw new TableException(file + ": " + p + ": TLS to the database is not supported by mxgate");
            }
        }
        if (cf.parameters().containsKey("option_file")) {
            throw new TableException(file + ": option_file: mxgate does not read MySQL option files");
        }
        String charsetParameter = dialect == SqlDialect.MYSQL ? "charset" : "encoding";
        String charset = cf.get(charsetParameter, "utf8mb4");
        if (!UTF8.contains(charset)) {
            throw new TableException(file + ": " + charsetParameter + " = " + charset + ": mxgate talks UTF-8 only");
        }
        String password = cf.get("password", "");
        String passwordFile = cf.get("password_file", "");
        if (!passwordFile.isEmpty()) {
            if (!password.isEmpty()) {
                throw new TableException(file + ": password and password_file are both set");
            }
            password = readPassword(file, Path.of(passwordFile));
        }
        String dbname = cf.get("dbname", "");
        if (dbname.isEmpty()) {
            throw new TableException(file + ": dbname is not set");
        }
        Expansion expansion;
        try {
            expansion = Expansion.of(query, nonEmpty(file, cf, "result_format", "%s"));
        } catch (TableException e) {
            throw new TableException(file + ": " + e.getMessage());
        }
        return new SqlTableConfig(file, dialect, hosts(file, dialect, cf.get("hosts", "")), cf.get("user", ""),
                password, dbname, expansion,
                DomainFilter.parse(file, cf.get("domain", "")), integer(file, cf, "expansion_limit", 0, 0),
                Duration.ofSeconds(integer(file, cf, "retry_interval", 60, 1)),
                Duration.ofSeconds(integer(file, cf, "idle_interval", 60, 1)));
    }

    private static String nonEmpty(String file, ParameterFile cf, String name, String fallback) {
        String v = cf.get(name, fallback);
        if (v.isEmpty()) {
            throw new TableException(file + ": " + name + " is empty");
        }
        return v;
    }

    private static int integer(String file, ParameterFile cf, String name, int fallback, int min) {
        String v = cf.get(name, null);
        if (v == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v);
            if (n >= min) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new TableException(file + ": " + name + " = " + v + ": expected a number of at least " + min);
    }

    private static String readPassword(String file, Path path) {
        try {
            return Files.readString(path, StandardCharsets.UTF_8).replaceAll("[\r\n]+$", "");
        } catch (IOException e) {
            throw new TableException(file + ": password_file " + path + ": cannot read: " + e.getMessage());
        }
    }

    /**
     * {@code hosts}, split at commas and spaces; none means {@code localhost}, which MySQL (not PostgreSQL) reaches
     * through its UNIX socket.
     */
    static List<Host> hosts(String file, SqlDialect dialect, String value) {
        List<Host> hosts = new ArrayList<>();
        for (String h : value.split("[,\\s]+")) {
            if (!h.isEmpty()) {
                hosts.add(host(file, dialect, h));
            }
        }
        if (hosts.isEmpty()) {
            hosts.add(host(file, dialect, "localhost"));
        }
        return hosts;
    }

    private static Host host(String file, SqlDialect dialect, String spec) {
        if (spec.matches("[A-Za-z][A-Za-z0-9+.-]*://.*")) {
            throw new TableException(file + ": hosts: " + spec + ": connection URIs are not supported; use "
                    + "host:port or unix:/path with user, password and dbname");
        }
        if (spec.startsWith("unix:")) {
            return new Unix(spec.substring(5));
        }
        String name = spec.startsWith("inet:") ? spec.substring(5) : spec;
        if (dialect == SqlDialect.PGSQL && (name.isEmpty() || name.startsWith("/"))) {
            return new Unix(name);  // PostgreSQL's own convention: a path is a socket directory
        }
        int colon = name.lastIndexOf(':');
        int port = dialect.defaultPort();
        if (colon >= 0) {
            String p = name.substring(colon + 1);
            name = name.substring(0, colon);
            try {
                port = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                throw new TableException(file + ": hosts: " + spec + ": the port must be a number");
            }
            if (port < 1 || port > 65535) {
                throw new TableException(file + ": hosts: " + spec + ": no such port");
            }
        }
        if (dialect == SqlDialect.MYSQL && name.toLowerCase(Locale.ROOT).equals("localhost")) {
            return new Unix(MYSQL_LOCALHOST_SOCKET);  // libmysqlclient: localhost is the UNIX socket, even with inet:
        }
        if (name.isEmpty()) {
            throw new TableException(file + ": hosts: " + spec + ": no host name");
        }
        return new Inet(name, port);
    }
}

package io.mxgate.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A private MariaDB or PostgreSQL on a free port of 127.0.0.1, started by dev/mariadb.sh or dev/postgres.sh, with a
 * database {@code postfix} holding Postfixadmin's schema (resources {@code postfixadmin/*-schema.sql}) and a user
 * {@code postfix} that may read it, as Postfix logs in. Writes Postfixadmin's six table files for it. Can be
 * killed (SIGKILL, as a crash) and started again on the same port and data. Close it to stop it and delete its
 * directory.
 */
public final class SqlServer implements AutoCloseable {

    /** The two servers, with their dev/ script and Postfix table type. */
    public enum Kind {
        MARIADB("mariadb.sh", "mysql"), POSTGRES("postgres.sh", "pgsql");

        private final String script;
        private final String tableType;

        Kind(String script, String tableType) {
            this.script = script;
            this.tableType = tableType;
        }

        /** The Postfix table type: {@code mysql}, {@code pgsql}. */
        public String tableType() {
            return tableType;
        }
    }

    /** Postfixadmin's table files (DOCUMENTS/POSTFIX_CONF.txt), by the name after {@code mysql_}/{@code pgsql_}. */
    public static final List<String> POSTFIXADMIN_MAPS = List.of("virtual_domains_maps", "virtual_alias_maps",
            "virtual_alias_domain_maps", "virtual_alias_domain_catchall_maps", "virtual_mailbox_maps",
            "virtual_alias_domain_mailbox_maps");

    public static final String DBNAME = "postfix";
    public static final String USER = "postfix";

    private final Kind kind;
    private final Path dir;
    private final int port = Ports.free();
    private final String password = "pw'" + UUID.randomUUID().toString().substring(0, 8);
    private boolean running;

    private SqlServer(Kind kind) {
        this.kind = kind;
        try {
            dir = Files.createTempDirectory(Path.of("/tmp"), "mxgate-" + kind.tableType + "-");
            dir.toFile().setExecutable(true, false);  // PostgreSQL runs as its own user below this directory
            dir.toFile().setReadable(true, false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts a server of {@code kind} with Postfixadmin's schema loaded and an empty {@code postfix} database. */
    public static SqlServer start(Kind kind) {
        SqlServer s = new SqlServer(kind);
        try {
            s.start();
            String schema = resource(kind.tableType + "-schema.sql");
            String quoted = s.password.replace("'", "''");
            if (kind == Kind.MARIADB) {
                s.sql("mysql", "CREATE DATABASE " + DBNAME + " CHARACTER SET utf8mb4; CREATE USER '" + USER
                        + "'@'127.0.0.1' IDENTIFIED BY '" + quoted + "'; GRANT SELECT ON " + DBNAME + ".* TO '"
                        + USER + "'@'127.0.0.1';");
                s.sql(DBNAME, schema);
            } else {
                s.sql("postgres", "CREATE ROLE " + USER + " LOGIN PASSWORD '" + quoted + "'");
                s.sql("postgres", "CREATE DATABASE " + DBNAME);
                s.sql(DBNAME, schema + "; GRANT SELECT ON ALL TABLES IN SCHEMA public TO " + USER + ";");
            }
            return s;
        } catch (RuntimeException e) {
            System.setProperty("mxgate.keep", "true");
            s.close();
            throw new IllegalStateException(kind + " failed to start; its logs are kept in " + s.dir, e);
        }
    }

    public Kind kind() {
        return kind;
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return port;
    }

    public String user() {
        return USER;
    }

    /** The {@code postfix} user's password; it holds a quote, as table files must cope with. */
    public String password() {
        return password;
    }

    public String dbname() {
        return DBNAME;
    }

    public Path dir() {
        return dir;
    }

    /** Runs {@code statements} as the server's superuser in {@code database}; returns the rows, tab-separated. */
    public String sql(String database, String statements) {
        return Script.run(kind.script, "sql", dir.resolve("db"), database, statements);
    }

    /** Runs {@code statements} in the {@code postfix} database. */
    public String sql(String statements) {
        return sql(DBNAME, statements);
    }

    /**
     * Writes Postfixadmin's table file {@code map} (one of {@link #POSTFIXADMIN_MAPS}) for this server, with
     * {@code extra} lines appended, and returns its main.cf name, e.g. {@code proxy:mysql:/tmp/.../x.cf}.
     */
    public String tableName(String map, String... extra) {
        String text = resource(kind.tableType + "_" + map + ".cf")
                .replace("{user}", USER).replace("{password}", password).replace("{host}", host())
                .replace("{port}", Integer.toString(port)).replace("{dbname}", DBNAME);
        Path file = dir.resolve(kind.tableType + "_" + map + ".cf");
        try {
            Files.writeString(file, text + String.join("\n", extra) + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return "proxy:" + kind.tableType + ":" + file;
    }

    /** Starts the server (again), on the same port and data. */
    public void start() {
        Script.run(kind.script, "start", dir.resolve("db"), port);
        running = true;
    }

    /** SIGKILL to the server process named in its PID file, as a crash. */
    public void kill() {
        Script.run(kind.script, "kill", dir.resolve("db"));
        running = false;
    }

    public void stop() {
        Script.run(kind.script, "stop", dir.resolve("db"));
        running = false;
    }

    private static String resource(String name) {
        try (InputStream in = SqlServer.class.getResourceAsStream("/postfixadmin/" + name)) {
            if (in == null) {
                throw new IllegalStateException("no resource postfixadmin/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        if (running) {
            stop();
        }
        if (!Boolean.getBoolean("mxgate.keep")) {
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}

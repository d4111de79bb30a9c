package io.mxgate.core.table.sql;

import io.mxgate.core.table.LookupTable;
import io.mxgate.core.table.PostfixTable.TableException;
import io.mxgate.core.table.sql.SqlTableConfig.Host;
import io.mxgate.core.table.sql.SqlTableConfig.Inet;
import io.mxgate.core.table.sql.SqlTableConfig.Unix;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.mysqlclient.MySQLConnectOptions;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnectOptions;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A {@code mysql:} or {@code pgsql:} table (ADR 0008): the key folded to lower case, filtered by {@code domain},
 * expanded into the query and SQL-escaped as Postfix does, sent as a plain text query through a Vert.x reactive
 * pool, and the rows expanded by {@code result_format} and joined with commas. Never blocks the caller.
 *
 * <p>Hosts as Postfix uses them: the one that last answered first, then the others in random order with UNIX
 * sockets before TCP; a host that fails is skipped for {@code retry_interval} when there are others, a single host
 * is retried once at once (Postfix 3.10 takes it for a load balancer). Answers are cached ({@link SqlCache}):
 * fresh ones are served without a query, and when every host fails an answer up to stale-if-error old is served
 * instead of the error. Only a key the cache cannot answer gets the failed future, a
 * {@link TableException} (the caller's 451 4.3.0).
 */
public final class SqlTable implements LookupTable {

    private static final System.Logger LOG = System.getLogger(SqlTable.class.getName());

    /** Requests waiting for a connection, per host; beyond it a lookup fails at once instead of queueing. */
    private static final int MAX_WAITING = 1024;

    private final String name;
    private final SqlTableConfig config;
    private final Vertx vertx;
    private final SqlOptions options;
    private final SqlCache cache;
    private final LongSupplier nanoClock;
    private final List<HostState> hosts;
    private volatile HostState lastGood;

    private final class HostState {
        final Host host;
        private Pool pool;
        volatile long downUntil = Long.MIN_VALUE;

        HostState(Host host) {
            this.host = host;
        }

        synchronized Pool pool() {
            if (pool == null) {
                pool = Pool.pool(vertx, connectOptions(host), new PoolOptions()
                        .setMaxSize(options.poolSize())
                        .setMaxWaitQueueSize(MAX_WAITING)
                        .setConnectionTimeout((int) options.connectTimeout().toMillis())
                        .setConnectionTimeoutUnit(TimeUnit.MILLISECONDS)
                        .setIdleTimeout((int) config.idleInterval().toSeconds())
                        .setIdleTimeoutUnit(TimeUnit.SECONDS));
                if (config.dialect() == SqlDialect.MYSQL) {
                    // SqlDialect.MYSQL escapes with backslashes: make sure the server reads them as escapes
                    pool.connectHandler(conn -> conn.query("SET SESSION sql_mode = "
                                    + "REPLACE(@@SESSION.sql_mode, 'NO_BACKSLASH_ESCAPES', '')").execute()
                            .onComplete(ar -> conn.close()));
                }
            }
            return pool;
        }

        synchronized Future<Void> close() {
            return pool == null ? Future.succeededFuture() : pool.close();
        }

        boolean up(long now) {
            return now - downUntil >= 0 || downUntil == Long.MIN_VALUE;
        }
    }

    private SqlTable(String name, SqlTableConfig config, Vertx vertx, SqlOptions options, LongSupplier nanoClock) {
        this.name = name;
        this.config = config;
        this.vertx = vertx;
        this.options = options;
        this.nanoClock = nanoClock;
        this.cache = new SqlCache(options, nanoClock);
        this.hosts = config.hosts().stream().map(HostState::new).toList();
    }

    /**
     * Opens a table named as in main.cf: {@code mysql:/etc/postfix/x.cf}, {@code pgsql:/etc/postfix/x.cf}, either
     * behind {@code proxy:} (mxgate has no proxymap; every service holds its own pools). Reads the file (blocking:
     * call it at startup, not on an event loop); a missing or invalid file is a {@link TableException}. No
     * connection is made before the first lookup.
     */
    public static SqlTable open(String tableName, Vertx vertx, SqlOptions options) {
        String rest = tableName.startsWith("proxy:") ? tableName.substring("proxy:".length()) : tableName;
        int colon = rest.indexOf(':');
        SqlDialect dialect = colon < 0 ? null : SqlDialect.ofType(rest.substring(0, colon));
        if (dialect == null) {
            throw new TableException(tableName + ": not a mysql: or pgsql: table");
        }
        return new SqlTable(tableName, SqlTableConfig.read(dialect, Path.of(rest.substring(colon + 1))), vertx,
                options, System::nanoTime);
    }

    /** A table from a configuration already read, under {@code name}. */
    public static SqlTable of(String name, SqlTableConfig config, Vertx vertx, SqlOptions options) {
        return new SqlTable(name, config, vertx, options, System::nanoTime);
    }

    /** Whether {@code tableName} is a table this class opens (after an optional {@code proxy:}). */
    public static boolean handles(String tableName) {
        String rest = tableName.startsWith("proxy:") ? tableName.substring("proxy:".length()) : tableName;
        int colon = rest.indexOf(':');
        return colon > 0 && SqlDialect.ofType(rest.substring(0, colon)) != null;
    }

    @Override
    public String name() {
        return name;
    }

    public SqlTableConfig config() {
        return config;
    }

    @Override
    public Future<Optional<String>> lookup(String key) {
        // DICT_FLAG_FOLD_FIX: every Postfix caller of these tables (virtual_*_maps, postmap -q) folds the key
        String folded = foldAscii(key);
        if (folded.indexOf(0) >= 0 || !config.domain().admits(folded)) {
            return Future.succeededFuture(Optional.empty());
        }
        // suppressed queries (no domain for %d, ...) are "not found" and never cached
        Optional<String> sql = config.expansion().query(folded, config.dialect()::escape);
        if (sql.isEmpty()) {
            return Future.succeededFuture(Optional.empty());
        }
        SqlCache.Answer cached = cache.get(folded);
        if (cached instanceof SqlCache.Fresh fresh) {
            return Future.succeededFuture(fresh.value());
        }
        return query(sql.get()).transform(ar -> {
            if (ar.failed()) {
                if (cached instanceof SqlCache.Stale stale) {
                    LOG.log(System.Logger.Level.WARNING, "{0}; serving the cached answer for {1}",
                            ar.cause().getMessage(), folded);
                    return Future.succeededFuture(stale.value());
                }
                LOG.log(System.Logger.Level.WARNING, "{0}; lookup of {1} failed", ar.cause().getMessage(), folded);
                return Future.failedFuture(ar.cause());
            }
            Optional<String> value;
            try {
                value = collect(ar.result(), folded);
            } catch (TableException e) {  // expansion_limit: this answer is an error, whatever the cache holds
                LOG.log(System.Logger.Level.WARNING, e.getMessage());
                return Future.failedFuture(e);
            }
            cache.put(folded, value);
            return Future.succeededFuture(value);
        });
    }

    private Future<RowSet<Row>> query(String sql) {
        List<HostState> order = order(nanoClock.getAsLong());
        if (order.isEmpty()) {
            return Future.failedFuture(new TableException(name + ": every database host failed in the last "
                    + config.retryInterval().toSeconds() + "s"));
        }
        return attempt(order, 0, sql, null);
    }

    /** The host that answered last, then the other hosts that are not being skipped: UNIX first, random order. */
    private List<HostState> order(long now) {
        if (hosts.size() == 1) {
            return List.of(hosts.get(0), hosts.get(0));
        }
        HostState first = lastGood;
        List<HostState> unix = new ArrayList<>();
        List<HostState> inet = new ArrayList<>();
        for (HostState h : hosts) {
            if (h != first && h.up(now)) {
                (h.host instanceof Unix ? unix : inet).add(h);
            }
        }
        Collections.shuffle(unix);
        Collections.shuffle(inet);
        List<HostState> order = new ArrayList<>();
        if (first != null && first.up(now)) {
            order.add(first);
        }
        order.addAll(unix);
        order.addAll(inet);
        return order;
    }

    private Future<RowSet<Row>> attempt(List<HostState> order, int i, String sql, Throwable previous) {
        if (i == order.size()) {
            return Future.failedFuture(new TableException(name + ": query failed: " + previous.getMessage()));
        }
        HostState h = order.get(i);
        return timeout(h.pool().query(sql).execute(), h).transform(ar -> {
            if (ar.succeeded()) {
                lastGood = h;
                return Future.succeededFuture(ar.result());
            }
            LOG.log(System.Logger.Level.WARNING, "{0}: {1}: query failed: {2}", name, h.host, ar.cause().getMessage());
            if (hosts.size() > 1) {
                h.downUntil = nanoClock.getAsLong() + config.retryInterval().toNanos();
                if (lastGood == h) {
                    lastGood = null;
                }
            }
            return attempt(order, i + 1, sql, ar.cause());
        });
    }

    private <T> Future<T> timeout(Future<T> f, HostState h) {
        Promise<T> p = Promise.promise();
        long ms = options.queryTimeout().toMillis();
        long timer = vertx.setTimer(ms, id -> p.tryFail(new TableException(h.host + ": no answer in " + ms + " ms")));
        f.onComplete(ar -> {
            vertx.cancelTimer(timer);
            if (ar.succeeded()) {
                p.tryComplete(ar.result());
            } else {
                p.tryFail(ar.cause());
            }
        });
        return p.future();
    }

    private Optional<String> collect(RowSet<Row> rows, String key) {
        StringBuilder out = new StringBuilder();
        int expansions = 0;
        for (Row row : rows) {
            for (int j = 0; j < row.size(); j++) {
                if (config.expansion().appendResult(text(row.getValue(j)), key, out)
                        && config.expansionLimit() > 0 && ++expansions > config.expansionLimit()) {
                    throw new TableException(name + ": expansion limit exceeded for key: '" + key + "'");
                }
            }
        }
        return out.isEmpty() ? Optional.empty() : Optional.of(out.toString());
    }

    /** A column as Postfix receives it over the client library: text, booleans as PostgreSQL prints them. */
    private String text(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof Boolean b) {
            return config.dialect() == SqlDialect.PGSQL ? (b ? "t" : "f") : (b ? "1" : "0");
        }
        if (value instanceof Buffer b) {
            return b.toString(java.nio.charset.StandardCharsets.UTF_8);
        }
        return value.toString();
    }

    private SqlConnectOptions connectOptions(Host host) {
        SqlConnectOptions o = switch (config.dialect()) {
            case MYSQL -> new MySQLConnectOptions().setCharset("utf8mb4");
            // SqlDialect.PGSQL doubles quotes only, which is right with standard_conforming_strings on
            case PGSQL -> new PgConnectOptions().addProperty("standard_conforming_strings", "on");
        };
        if (host instanceof Inet inet) {
            o.setHost(inet.host()).setPort(inet.port());
        } else if (host instanceof Unix unix) {
            o.setHost(unix.path());
        }
        o.setUser(config.user()).setPassword(config.password()).setDatabase(config.dbname());
        o.setConnectTimeout((int) options.connectTimeout().toMillis());
        return o;
    }

    /** Closes the pools. */
    public Future<Void> close() {
        return Future.all(hosts.stream().map(HostState::close).toList()).mapEmpty();
    }

    /** Postfix's lowercase(): ASCII letters only, the rest of the key as it is. */
    static String foldAscii(String s) {
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                if (out == null) {
                    out = new StringBuilder(s);
                }
                out.setCharAt(i, (char) (c + 32));
            }
        }
        return out == null ? s : out.toString();
    }
}

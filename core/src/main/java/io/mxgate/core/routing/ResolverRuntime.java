package io.mxgate.core.routing;

import io.mxgate.core.table.LookupTables;
import io.mxgate.core.table.sql.SqlOptions;
import io.mxgate.core.table.sql.SqlTable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A service's recipient resolution with its tables, as every service runs it: the tables opened once, text tables
 * checked for edits every {@value #TABLE_CHECK_INTERVAL_MILLIS} ms off the event loop (a file that no longer parses
 * keeps the last good version, with a warning), and everything closed at shutdown.
 */
public final class ResolverRuntime implements AutoCloseable {

    /** How often table files are checked for changes: an admin's edit or a ConfigMap update takes effect within it. */
    public static final long TABLE_CHECK_INTERVAL_MILLIS = 2_000;

    private final Vertx vertx;
    private final LookupTables tables;
    private final RecipientResolver resolver;
    private final long timer;

    /**
     * @param sql      how {@code mysql:} and {@code pgsql:} tables are pooled and cached
     * @param warnings receives one Postfix-style warning per table that could not be reloaded
     */
    public ResolverRuntime(Vertx vertx, RecipientResolver.Settings settings, SqlOptions sql,
                           Consumer<String> warnings) {
        this.vertx = vertx;
        this.tables = new LookupTables(name -> SqlTable.open(name, vertx, sql));
        this.resolver = new RecipientResolver(settings, tables);
        this.timer = vertx.setPeriodic(TABLE_CHECK_INTERVAL_MILLIS,
                id -> vertx.executeBlocking(() -> {
                    tables.reloadAll().forEach(p -> warnings.accept("warning: " + p));
                    return null;
                }, false));
    }

    public RecipientResolver resolver() {
        return resolver;
    }

    /** The tables, for other parameters that name tables (access tables in restriction lists). */
    public LookupTables tables() {
        return tables;
    }

    /**
     * The answer for a consumer's own thread (never an event loop), which may wait for a SQL table; throws when the
     * answer fails or does not come within {@code timeout}, so the caller holds its record and tries again.
     */
    public static <T> T await(Future<T> future, Duration timeout) throws Exception {
        try {
            return future.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception c ? c : e;
        }
    }

    @Override
    public void close() {
        vertx.cancelTimer(timer);
        tables.close();
    }
}

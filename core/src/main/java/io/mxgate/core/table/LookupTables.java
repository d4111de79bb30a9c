package io.mxgate.core.table;

import io.mxgate.core.table.sql.SqlTable;
import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The lookup tables one service reads, opened once per name and shared by everything that names them (main.cf
 * names a table in several parameters; Postfix's proxymap shares it likewise). {@code proxy:} is accepted and
 * dropped: every replica reads the table itself. Text types ({@code hash:}, {@code btree:}, {@code texthash:},
 * {@code lmdb:}, {@code cdb:}) are read from their source file and follow it ({@link #reloadAll});
 * {@code mysql:} and {@code pgsql:} are opened by the SQL opener the service passes in.
 */
public final class LookupTables implements AutoCloseable {

    private static final List<String> SQL_TYPES = List.of("mysql", "pgsql");

    private final Function<String, LookupTable> sqlOpener;
    private final Map<String, LookupTable> open = new ConcurrentHashMap<>();
    private final Map<String, ReloadingTable<PostfixTable>> textTables = new ConcurrentHashMap<>();

    /** @param sqlOpener opens a {@code mysql:}/{@code pgsql:} table by its name without {@code proxy:} */
    public LookupTables(Function<String, LookupTable> sqlOpener) {
        this.sqlOpener = sqlOpener;
    }

    /** The opener where no SQL client is set up: a SQL table name fails at startup with a message saying so. */
    public static final Function<String, LookupTable> NO_SQL = name -> {
        throw new PostfixTable.TableException(name + ": SQL tables are not available here");
    };

    /** Tables of the text types only. */
    public static LookupTables textOnly() {
        return new LookupTables(NO_SQL);
    }

    /** Opens {@code [proxy:]type:name} (or returns the one already open); a bad table fails here, at startup. */
    public LookupTable open(String spec) {
        String name = spec.strip();
        if (name.toLowerCase(Locale.ROOT).startsWith("proxy:")) {
            name = name.substring("proxy:".length());
        }
        return open.computeIfAbsent(name, this::create);
    }

    /** Every table of a main.cf list ({@code type:name} entries separated by commas or whitespace). */
    public List<LookupTable> openAll(String list) {
        List<LookupTable> out = new ArrayList<>();
        for (String word : words(list)) {
            out.add(open(word));
        }
        return out;
    }

    private LookupTable create(String name) {
        int colon = name.indexOf(':');
        String type = colon < 0 ? "" : name.substring(0, colon).toLowerCase(Locale.ROOT);
        if (SQL_TYPES.contains(type)) {
            return sqlOpener.apply(name);
        }
        ReloadingTable<PostfixTable> table = new ReloadingTable<>(name, path -> PostfixTable.open(name));
        textTables.put(name, table);
        return LookupTable.of(table.name(), table::get);
    }

    /** Reloads every text table whose file changed (blocking: run it off the event loop); returns the problems. */
    public List<String> reloadAll() {
        List<String> problems = new ArrayList<>();
        for (ReloadingTable<PostfixTable> t : textTables.values()) {
            RuntimeException e = t.reload();
            if (e != null) {
                problems.add(t.name() + ": " + e.getMessage() + " (keeping the previous version)");
            }
        }
        return problems;
    }

    @Override
    public void close() {
        for (LookupTable t : open.values()) {
            if (t instanceof SqlTable sql) {
                sql.close();  // pools close in the background; nothing is left to wait for at shutdown
            }
        }
    }

    /** The first value any of {@code tables} has for any of {@code keys}, keys outermost (Postfix's maps order). */
    public static Future<Optional<String>> firstOf(List<LookupTable> tables, List<String> keys) {
        return firstOf(tables, keys, 0);
    }

    private static Future<Optional<String>> firstOf(List<LookupTable> tables, List<String> keys, int index) {
        if (index >= keys.size() * tables.size()) {
            return Future.succeededFuture(Optional.empty());
        }
        String key = keys.get(index / tables.size());
        return tables.get(index % tables.size()).lookup(key)
                .compose(v -> v.isPresent() ? Future.succeededFuture(v) : firstOf(tables, keys, index + 1));
    }

    static List<String> words(String list) {
        return list == null || list.isBlank() ? List.of() : List.of(list.strip().split("[,\\s]+"));
    }
}

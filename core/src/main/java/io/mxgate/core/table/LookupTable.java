package io.mxgate.core.table;

import io.vertx.core.Future;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * A Postfix lookup table as every caller sees it, whatever its type: one key in, the value or nothing out, never
 * blocking the caller. A text table ({@code hash:}, {@code texthash:}, ...) answers at once; a {@code mysql:} or
 * {@code pgsql:} table answers when the database does. A failed future is Postfix's "table lookup problem": the
 * caller defers (451 4.3.0 at RCPT, a retry in delivery), never accepts and never bounces on it.
 */
public interface LookupTable {

    /** The table as configured ({@code proxy:mysql:/etc/postfix/mysql_virtual_alias_maps.cf}), for logs. */
    String name();

    /** The value for {@code key}; fails with {@link PostfixTable.TableException} when the table cannot answer. */
    Future<Optional<String>> lookup(String key);

    /** A fixed text table (tests, and tables built in memory). */
    static LookupTable of(PostfixTable table) {
        return of(table.name(), () -> table);
    }

    /** A text table whose current version {@code table} gives (a reloading table swaps it between lookups). */
    static LookupTable of(String name, Supplier<PostfixTable> table) {
        return new LookupTable() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Future<Optional<String>> lookup(String key) {
                return Future.succeededFuture(table.get().lookup(key));
            }
        };
    }
}

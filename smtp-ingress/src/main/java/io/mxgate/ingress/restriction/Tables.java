package io.mxgate.ingress.restriction;

import io.mxgate.core.table.CidrTable;
import io.mxgate.core.table.LookupTable;
import io.mxgate.core.table.LookupTables;
import io.mxgate.core.table.ReloadingTable;
import io.vertx.core.Future;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The lookup tables named in the restriction lists, opened once per name and shared by all event loops: key tables
 * (text or SQL) through the service's {@link LookupTables}, {@code cidr:} tables here, each following its file
 * ({@link #reloadAll} is run off the event loop every few seconds).
 */
public final class Tables {

    /** A table as restrictions use it: by ordered keys, or (cidr) by address. */
    public interface Lookup {
        /** The value of the first key the table has; fails when the table cannot answer. */
        Future<Optional<String>> firstOf(List<String> keys);

        Optional<String> byAddress(InetAddress address);

        boolean isCidr();
    }

    private final LookupTables keyTables;
    private final Map<String, ReloadingTable<CidrTable>> cidr = new ConcurrentHashMap<>();

    public Tables(LookupTables keyTables) {
        this.keyTables = keyTables;
    }

    public Lookup open(String name) {
        if (name.startsWith("cidr:")) {
            ReloadingTable<CidrTable> t = cidr.computeIfAbsent(name,
                    n -> new ReloadingTable<>(n.substring("cidr:".length()), CidrTable::open));
            return new Lookup() {
                public Future<Optional<String>> firstOf(List<String> keys) {
                    return Future.succeededFuture(Optional.empty());
                }

                public Optional<String> byAddress(InetAddress address) {
                    return t.get().lookup(address);
                }

                public boolean isCidr() {
                    return true;
                }
            };
        }
        LookupTable t = keyTables.open(name);
        return new Lookup() {
            public Future<Optional<String>> firstOf(List<String> keys) {
                return LookupTables.firstOf(List.of(t), keys);
            }

            public Optional<String> byAddress(InetAddress address) {
                return Optional.empty();
            }

            public boolean isCidr() {
                return false;
            }
        };
    }

    /** Reloads every changed cidr table (blocking); returns the problems, each naming its table. */
    public List<String> reloadAll() {
        return cidr.values().stream().map(t -> {
            RuntimeException e = t.reload();
            return e == null ? null : t.name() + ": " + e.getMessage() + " (keeping the previous version)";
        }).filter(java.util.Objects::nonNull).toList();
    }
}

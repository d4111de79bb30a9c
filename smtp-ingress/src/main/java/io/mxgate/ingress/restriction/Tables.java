package io.mxgate.ingress.restriction;

import io.mxgate.core.table.CidrTable;
import io.mxgate.core.table.PostfixTable;
import io.mxgate.core.table.ReloadingTable;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The lookup tables named in the restriction lists, opened once per name and shared by all event loops. Each
 * follows its file ({@link ReloadingTable}); {@link #reloadAll} is run off the event loop every few seconds.
 */
public final class Tables {

    /** A table as restrictions use it: by ordered keys, or (cidr) by address. */
    public interface Lookup {
        Optional<String> firstOf(List<String> keys);

        Optional<String> byAddress(InetAddress address);

        boolean isCidr();
    }

    private final Map<String, ReloadingTable<?>> open = new ConcurrentHashMap<>();

    public Lookup open(String name) {
        if (name.startsWith("cidr:")) {
            @SuppressWarnings("unchecked")
            ReloadingTable<CidrTable> t = (ReloadingTable<CidrTable>) open.computeIfAbsent(name,
                    n -> new ReloadingTable<>(n.substring("cidr:".length()), CidrTable::open));
            return new Lookup() {
                public Optional<String> firstOf(List<String> keys) {
                    return Optional.empty();
                }

                public Optional<String> byAddress(InetAddress address) {
                    return t.get().lookup(address);
                }

                public boolean isCidr() {
                    return true;
                }
            };
        }
        @SuppressWarnings("unchecked")
        ReloadingTable<PostfixTable> t = (ReloadingTable<PostfixTable>) open.computeIfAbsent(name,
                n -> new ReloadingTable<>(n, path -> PostfixTable.open(n)));
        return new Lookup() {
            public Optional<String> firstOf(List<String> keys) {
                PostfixTable table = t.get();
                for (String k : keys) {
                    Optional<String> v = table.lookup(k);
                    if (v.isPresent()) {
                        return v;
                    }
                }
                return Optional.empty();
            }

            public Optional<String> byAddress(InetAddress address) {
                return Optional.empty();
            }

            public boolean isCidr() {
                return false;
            }
        };
    }

    /** Reloads every changed table (blocking); returns the problems, each naming its table. */
    public List<String> reloadAll() {
        return open.values().stream().map(t -> {
            RuntimeException e = t.reload();
            return e == null ? null : t.name() + ": " + e.getMessage() + " (keeping the previous version)";
        }).filter(java.util.Objects::nonNull).toList();
    }
}

package io.mxgate.core.table.sql;

import io.mxgate.core.table.PostfixTable.TableException;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code domain} parameter of an SQL table: only keys {@code user@domain} with a non-empty local part and a
 * listed domain are looked up, anything else is "not found" without a query (db_common_check_domain()). Postfix
 * reads it as a string_list: names compared whole and without case (no parent-domain matching), {@code !name}
 * excludes, the first pattern that matches decides. Files and {@code type:table} entries are refused: mxgate
 * would have to open another table per SQL table, and the man page itself advises against it.
 */
public record DomainFilter(List<String> patterns) {

    /** No {@code domain} parameter: every key is looked up. */
    public static final DomainFilter ANY = new DomainFilter(List.of());

    public DomainFilter {
        patterns = List.copyOf(patterns);
    }

    public static DomainFilter parse(String file, String value) {
        List<String> patterns = new ArrayList<>();
        for (String p : value.split("[,\\s]+")) {
            if (p.isEmpty()) {
                continue;
            }
            String name = p.startsWith("!") ? p.substring(1) : p;
            if (name.startsWith("/") || name.contains(":")) {
                throw new TableException(file + ": domain = " + value + ": \"" + p + "\": mxgate supports a list of "
                        + "domain names here, not files or lookup tables");
            }
            patterns.add(p);
        }
        return new DomainFilter(patterns);
    }

    /** Whether {@code key} may be looked up. */
    public boolean admits(String key) {
        if (patterns.isEmpty()) {
            return true;
        }
        int at = key.lastIndexOf('@');
        if (at <= 0) {
            return false;
        }
        String domain = key.substring(at + 1);
        for (String p : patterns) {
            boolean negated = p.startsWith("!");
            if ((negated ? p.substring(1) : p).equalsIgnoreCase(domain)) {
                return !negated;
            }
        }
        return false;
    }
}

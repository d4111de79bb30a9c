package io.mxgate.core.routing;

import io.mxgate.core.address.MailAddress;
import io.mxgate.core.table.LookupTable;
import io.mxgate.core.table.LookupTables;
import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code transport_maps}: one or more tables searched in transport(5)'s order. For {@code user+ext@sub.example.com}
 * the keys are the full address, the address without its extension (when {@code recipient_delimiter} is set), then
 * {@code sub.example.com}, {@code .example.com}, {@code .com}, and finally {@code *}. Each key is looked up in every
 * table before the next key is tried.
 */
public final class TransportMaps {

    private final List<LookupTable> tables;
    private final String recipientDelimiter;

    public TransportMaps(List<LookupTable> tables, String recipientDelimiter) {
        this.tables = List.copyOf(tables);
        this.recipientDelimiter = recipientDelimiter == null ? "" : recipientDelimiter;
    }

    /** The first entry that matches, with the key that matched; empty when none does; fails when a table fails. */
    public Future<Optional<Match>> lookup(MailAddress recipient) {
        if (tables.isEmpty()) {
            return Future.succeededFuture(Optional.empty());
        }
        List<String> keys = keys(recipient, recipientDelimiter);
        return lookup(keys, 0);
    }

    private Future<Optional<Match>> lookup(List<String> keys, int index) {
        if (index == keys.size()) {
            return Future.succeededFuture(Optional.empty());
        }
        String key = keys.get(index);
        return LookupTables.firstOf(tables, List.of(key)).compose(v -> v.isPresent()
                ? Future.succeededFuture(Optional.of(new Match(key, TransportEntry.parse(v.get()))))
                : lookup(keys, index + 1));
    }

    /** A table entry and the key it was found under. */
    public record Match(String key, TransportEntry entry) {
    }

    /** The lookup keys in transport(5) order. */
    static List<String> keys(MailAddress recipient, String delimiter) {
        List<String> keys = new ArrayList<>();
        keys.add(recipient.toString());
        String stripped = stripExtension(recipient, delimiter);
        if (stripped != null) {
            keys.add(stripped);
        }
        String domain = recipient.domain();
        keys.add(domain);
        for (int dot = domain.indexOf('.', 1); dot >= 0; dot = domain.indexOf('.', dot + 1)) {
            keys.add(domain.substring(dot));
        }
        keys.add("*");
        return keys;
    }

    /** {@code user@domain} for {@code user+ext@domain}, or null when there is no extension. */
    static String stripExtension(MailAddress a, String delimiter) {
        if (delimiter.isEmpty()) {
            return null;
        }
        String local = a.localPart();
        for (int i = 0; i < local.length(); i++) {
            if (delimiter.indexOf(local.charAt(i)) >= 0) {
                return i == 0 ? null : local.substring(0, i) + "@" + a.domain();
            }
        }
        return null;
    }
}

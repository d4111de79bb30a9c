package io.mxgate.core.routing;

import io.mxgate.core.address.MailAddress;
import io.mxgate.core.table.PostfixTable;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code transport_maps}: one or more tables searched in transport(5)'s order. For {@code user+ext@sub.example.com}
 * the keys are the full address, the address without its extension (when {@code recipient_delimiter} is set), then
 * {@code sub.example.com}, {@code .example.com}, {@code .com}, and finally {@code *}. Each key is looked up in every
 * table before the next key is tried. The tables come from a supplier, so a reloading table can swap in a new
 * version between lookups.
 */
public final class TransportMaps {

    private final Supplier<List<PostfixTable>> tables;
    private final String recipientDelimiter;

    public TransportMaps(Supplier<List<PostfixTable>> tables, String recipientDelimiter) {
        this.tables = tables;
        this.recipientDelimiter = recipientDelimiter == null ? "" : recipientDelimiter;
    }

    public static TransportMaps of(List<PostfixTable> tables) {
        List<PostfixTable> copy = List.copyOf(tables);
        return new TransportMaps(() -> copy, "");
    }

    /** The first entry that matches, with the key that matched; empty when none does. */
    public Optional<Match> lookup(MailAddress recipient) {
        List<PostfixTable> current = tables.get();
        if (current.isEmpty()) {
            return Optional.empty();
        }
        for (String key : keys(recipient, recipientDelimiter)) {
            for (PostfixTable t : current) {
                Optional<String> v = t.lookup(key);
                if (v.isPresent()) {
                    return Optional.of(new Match(key, TransportEntry.parse(v.get())));
                }
            }
        }
        return Optional.empty();
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

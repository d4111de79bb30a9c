package io.mxgate.core.routing;

import io.mxgate.core.address.AddressParser;
import io.mxgate.core.address.MailAddress;
import io.mxgate.core.table.LookupTable;
import io.mxgate.core.table.LookupTables;
import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * {@code virtual_alias_maps} as cleanup(8) applies it to every recipient, whatever its domain class
 * (cleanup_map1n.c): each address of a result is looked up again, until no table has it, it expanded into itself
 * (Postfix's {@code a@x -> a@x, b@x} idiom, and Postfixadmin's mailbox rows {@code a@x -> a@x}), or a limit is
 * hit: more than {@code virtual_alias_expansion_limit} addresses or {@code virtual_alias_recursion_limit} levels
 * defer the recipient, as Postfix does, so a loop {@code a -> b -> a} defers instead of bouncing or looping.
 * Keys, in virtual(5) order: {@code user@domain}, {@code user@domain} without the address extension (when
 * {@code recipient_delimiter} is set), then the catch-all {@code @domain}. A value is a list of addresses separated
 * by commas or whitespace; an address without a domain gets {@code @$myorigin}, and {@code @domain} keeps the local
 * part (mail_addr_map.c). Duplicates are dropped, keeping the first. Not done: propagating an unmatched address
 * extension to the result ({@code propagate_unmatched_extensions}).
 */
public final class VirtualAliasMaps {

    /** What an address expands to. */
    public sealed interface Expansion {
        /** The final addresses (the address itself when no alias applies). */
        record Addresses(List<MailAddress> addresses) implements Expansion {
            public Addresses {
                addresses = List.copyOf(addresses);
            }
        }

        /** A table could not answer, or a limit was hit: the recipient is deferred, never dropped. */
        record Failure(String text) implements Expansion {
        }
    }

    /** The limits and the domain for bare addresses ({@code virtual_alias_*_limit}, {@code myorigin}). */
    public record Limits(int recursion, int expansion, String myorigin) {
        public static final Limits POSTFIX = new Limits(1000, 1000, "localhost");
    }

    private final List<LookupTable> tables;
    private final String recipientDelimiter;
    private final Limits limits;

    public VirtualAliasMaps(List<LookupTable> tables, String recipientDelimiter, Limits limits) {
        this.tables = List.copyOf(tables);
        this.recipientDelimiter = recipientDelimiter == null ? "" : recipientDelimiter;
        this.limits = limits;
    }

    public boolean isEmpty() {
        return tables.isEmpty();
    }

    /** The table value for an address (one level, no recursion), if it has one. */
    public Future<Optional<String>> lookup(MailAddress address) {
        return tables.isEmpty() ? Future.succeededFuture(Optional.empty())
                : LookupTables.firstOf(tables, keys(address, recipientDelimiter));
    }

    /** The lookup keys of an address in virtual(5) order. */
    public static List<String> keys(MailAddress address, String delimiter) {
        List<String> keys = new ArrayList<>(3);
        keys.add(address.toString());
        String stripped = TransportMaps.stripExtension(address, delimiter == null ? "" : delimiter);
        if (stripped != null) {
            keys.add(stripped);
        }
        keys.add("@" + address.domain());
        return keys;
    }

    /** Expands one recipient with cleanup_map1n.c's rules. */
    public Future<Expansion> expand(MailAddress recipient) {
        if (tables.isEmpty()) {
            return Future.succeededFuture(new Expansion.Addresses(List.of(recipient)));
        }
        List<MailAddress> work = new ArrayList<>(List.of(recipient));
        return step(recipient, work, new HashSet<>(), 0, 0).map(failure -> failure != null ? failure
                : new Expansion.Addresses(List.copyOf(new LinkedHashSet<>(work))));
    }

    /** Works on {@code work[index]} at nesting level {@code count}; null when done, else the failure. */
    private Future<Expansion.Failure> step(MailAddress original, List<MailAddress> work, Set<String> expandedIntoItself,
                                           int index, int count) {
        if (index >= work.size()) {
            return Future.succeededFuture(null);
        }
        if (work.size() > limits.expansion()) {
            return Future.succeededFuture(new Expansion.Failure("unreasonable virtual_alias_maps map expansion size for "
                    + original));
        }
        MailAddress current = work.get(index);
        String key = current.toString().toLowerCase(Locale.ROOT);
        if (expandedIntoItself.contains(key)) {
            return step(original, work, expandedIntoItself, index + 1, 0);
        }
        if (count >= limits.recursion()) {
            return Future.succeededFuture(new Expansion.Failure("unreasonable virtual_alias_maps map nesting for "
                    + original));
        }
        return lookup(current).transform(ar -> {
            if (ar.failed()) {
                return Future.succeededFuture(new Expansion.Failure("virtual_alias_maps map lookup problem for "
                        + original + ": " + ar.cause().getMessage()));
            }
            if (ar.result().isEmpty()) {
                return step(original, work, expandedIntoItself, index + 1, 0);
            }
            List<MailAddress> result = new ArrayList<>();
            for (String word : words(ar.result().get())) {
                MailAddress target = word.indexOf('@') < 0 ? MailAddress.qualified(word, limits.myorigin())
                        : word.startsWith("@") ? AddressParser.parseMailbox(current.localPart() + word)
                        : AddressParser.parseMailbox(word);
                if (target == null) {
                    return Future.succeededFuture(new Expansion.Failure("virtual_alias_maps: " + current
                            + ": not an address: \"" + word + "\""));
                }
                result.add(target);
            }
            if (result.isEmpty()) {
                return step(original, work, expandedIntoItself, index + 1, 0);
            }
            work.set(index, result.get(0));
            work.addAll(result.subList(1, result.size()));
            for (MailAddress r : result) {
                if (r.toString().equalsIgnoreCase(current.toString())) {
                    expandedIntoItself.add(key);  // "allow an address to expand into itself once"
                }
            }
            return step(original, work, expandedIntoItself, index, count + 1);
        });
    }

    /** The addresses of a table value: separated by commas or whitespace. */
    private static List<String> words(String value) {
        List<String> out = new ArrayList<>();
        for (String w : value.strip().split("[,\\s]+")) {
            if (!w.isEmpty()) {
                out.add(w);
            }
        }
        return out;
    }
}

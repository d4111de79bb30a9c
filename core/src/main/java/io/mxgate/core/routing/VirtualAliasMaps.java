package io.mxgate.core.routing;

import io.mxgate.core.address.AddressParser;
import io.mxgate.core.address.MailAddress;
import io.mxgate.core.table.PostfixTable;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * {@code virtual_alias_maps}, applied once per recipient as the issue asks (Postfix recurses up to
 * {@code virtual_alias_recursion_limit}; one level covers aliases and catch-alls without a recursion budget).
 * Keys, in virtual(5) order: {@code user@domain}, {@code user@domain} without the address extension (when
 * {@code recipient_delimiter} is set), then the catch-all {@code @domain}. The value is a list of addresses
 * separated by commas or whitespace.
 *
 * <p>Loop protection: the result is not looked up again, so {@code a@x -> a@x, b@x} (keep a copy and send one on,
 * Postfix's documented idiom) and {@code a@x -> b@x / b@x -> a@x} both terminate; duplicates are removed, keeping
 * the first occurrence, as cleanup(8) does.
 */
public final class VirtualAliasMaps {

    private final Supplier<List<PostfixTable>> tables;
    private final String recipientDelimiter;

    public VirtualAliasMaps(Supplier<List<PostfixTable>> tables, String recipientDelimiter) {
        this.tables = tables;
        this.recipientDelimiter = recipientDelimiter == null ? "" : recipientDelimiter;
    }

    public static VirtualAliasMaps of(List<PostfixTable> tables) {
        List<PostfixTable> copy = List.copyOf(tables);
        return new VirtualAliasMaps(() -> copy, "");
    }

    /** The table value for an address, if it has one. */
    public Optional<String> lookup(MailAddress recipient) {
        List<PostfixTable> current = tables.get();
        if (current.isEmpty()) {
            return Optional.empty();
        }
        List<String> keys = new ArrayList<>();
        keys.add(recipient.toString());
        String stripped = TransportMaps.stripExtension(recipient, recipientDelimiter);
        if (stripped != null) {
            keys.add(stripped);
        }
        keys.add("@" + recipient.domain());
        for (String key : keys) {
            for (PostfixTable t : current) {
                Optional<String> v = t.lookup(key);
                if (v.isPresent()) {
                    return v;
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Rewrites each recipient; one without an alias stays as it is. Throws {@link PostfixTable.TableException} when
     * an alias names something that is not an address (a configuration error: the caller defers).
     */
    public List<Rewritten> rewrite(List<MailAddress> recipients) {
        Set<MailAddress> seen = new LinkedHashSet<>();
        List<Rewritten> out = new ArrayList<>();
        for (MailAddress r : recipients) {
            Optional<String> value = lookup(r);
            if (value.isEmpty()) {
                if (seen.add(r)) {
                    out.add(new Rewritten(r, r));
                }
                continue;
            }
            for (String word : value.get().strip().split("[,\\s]+")) {
                if (word.isEmpty()) {
                    continue;
                }
                MailAddress target = AddressParser.parseMailbox(word);
                if (target == null) {
                    throw new PostfixTable.TableException("virtual_alias_maps: " + r + ": not an address: \""
                            + word + "\"");
                }
                if (seen.add(target)) {
                    out.add(new Rewritten(target, r));
                }
            }
        }
        return out;
    }

    /** A recipient after rewriting, and the address the client gave (the DSN's Original-Recipient). */
    public record Rewritten(MailAddress recipient, MailAddress original) {
    }
}

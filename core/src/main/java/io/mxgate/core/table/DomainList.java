package io.mxgate.core.table;

import io.mxgate.core.address.AddressParser;
import io.vertx.core.Future;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A Postfix domain list such as {@code relay_domains}: entries separated by commas or whitespace, each a domain
 * name, a {@code /file/name} whose words are more entries, or a {@code type:table} in which the domain is looked up
 * as a key (Postfixadmin's {@code proxy:mysql:/etc/postfix/mysql_virtual_domains_maps.cf}). Names and files are
 * read once, at startup, as Postfix reads them at {@code postfix reload}; a table is asked at each lookup, so an
 * edited text table or a new database row takes effect without a restart. Matching is exact (Postfix's
 * {@code parent_domain_matches_subdomains} default leaves these lists exact).
 */
public final class DomainList {

    private final Set<String> domains;
    private final List<LookupTable> tables;

    private DomainList(Set<String> domains, List<LookupTable> tables) {
        this.domains = Set.copyOf(domains);
        this.tables = List.copyOf(tables);
    }

    /** A list of names and files only; a {@code type:table} entry needs {@link #parse(String, LookupTables)}. */
    public static DomainList parse(String spec) {
        return parse(spec, LookupTables.textOnly());
    }

    public static DomainList parse(String spec, LookupTables tables) {
        Set<String> domains = new LinkedHashSet<>();
        List<LookupTable> lookups = new java.util.ArrayList<>();
        for (String entry : LookupTables.words(spec)) {
            if (entry.startsWith("/")) {
                readFile(entry, domains);
            } else if (entry.indexOf(':') > 0) {
                lookups.add(tables.open(entry));
            } else {
                addDomain("domain list", entry, domains);
            }
        }
        return new DomainList(domains, lookups);
    }

    private static void readFile(String file, Set<String> domains) {
        try {
            List<String> lines = Files.readAllLines(Path.of(file), StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).strip();
                if (!line.isEmpty() && !line.startsWith("#")) {
                    for (String word : LookupTables.words(line)) {
                        addDomain(file + ", line " + (i + 1), word, domains);
                    }
                }
            }
        } catch (IOException e) {
            throw new PostfixTable.TableException(file + ": cannot read: " + e.getMessage());
        }
    }

    private static void addDomain(String where, String domain, Set<String> domains) {
        String d = domain.toLowerCase(Locale.ROOT);
        if (!AddressParser.isDomain(d)) {
            throw new PostfixTable.TableException(where + ": not a domain name: \"" + domain + "\"");
        }
        domains.add(d);
    }

    /** Whether the domain is in the list; fails when a table cannot answer (the caller defers). */
    public Future<Boolean> contains(String domain) {
        String d = domain.toLowerCase(Locale.ROOT);
        if (domains.contains(d)) {
            return Future.succeededFuture(true);
        }
        if (tables.isEmpty()) {
            return Future.succeededFuture(false);
        }
        return LookupTables.firstOf(tables, List.of(d)).map(java.util.Optional::isPresent);
    }

    /** The names and file entries (not the tables' keys): what the startup check of address classes compares. */
    public Set<String> domains() {
        return domains;
    }

    public boolean isEmpty() {
        return domains.isEmpty() && tables.isEmpty();
    }
}

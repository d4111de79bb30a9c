package io.mxgate.core.table;

import io.mxgate.core.address.AddressParser;

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
 * name, a {@code /file/name} whose words are more entries, or a {@code type:table} whose keys are domains.
 * Matching is exact (Postfix's {@code parent_domain_matches_subdomains} default leaves these lists exact).
 */
public final class DomainList {

    private final Set<String> domains;

    private DomainList(Set<String> domains) {
        this.domains = Set.copyOf(domains);
    }

    public static DomainList parse(String spec) {
        Set<String> domains = new LinkedHashSet<>();
        for (String entry : split(spec)) {
            if (entry.startsWith("/")) {
                readFile(entry, domains);
            } else if (entry.indexOf(':') > 0) {
                for (String key : PostfixTable.open(entry).entries().keySet()) {
                    addDomain(entry, key, domains);
                }
            } else {
                addDomain("domain list", entry, domains);
            }
        }
        return new DomainList(domains);
    }

    private static void readFile(String file, Set<String> domains) {
        try {
            List<String> lines = Files.readAllLines(Path.of(file), StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).strip();
                if (!line.isEmpty() && !line.startsWith("#")) {
                    for (String word : split(line)) {
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

    private static List<String> split(String spec) {
        return spec.isBlank() ? List.of() : List.of(spec.strip().split("[,\\s]+"));
    }

    public boolean contains(String domain) {
        return domains.contains(domain.toLowerCase(Locale.ROOT));
    }

    public Set<String> domains() {
        return domains;
    }
}

package io.mxgate.core.table.sql;

import io.mxgate.core.table.PostfixTable.TableException;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The {@code query} and {@code result_format} templates of one SQL table, with their {@code %} expansions as
 * mysql_table(5) and pgsql_table(5) define them and Postfix's db_common.c applies them. Both templates are read
 * together because the key requirements of either suppress the query: a {@code %d} in the query, or a {@code %D}
 * in the result format, means a key without a domain is never looked up ("not found", no query).
 */
public final class Expansion {

    private sealed interface Part permits Literal, Field {
    }

    private record Literal(String text) implements Part {
    }

    /** One of {@code s u d S U D 1-9}. */
    private record Field(char code) implements Part {
    }

    private final List<Part> query;
    private final List<Part> result;
    private final boolean keyDomain;
    private final boolean keyUser;
    private final boolean valueDomain;
    private final boolean valueUser;
    /** The highest {@code %1..%9} of either template: keys whose domain has fewer labels are not looked up. */
    private final int labels;

    private Expansion(List<Part> query, List<Part> result) {
        this.query = query;
        this.result = result;
        boolean kd = false, ku = false, vd = false, vu = false;
        int n = 0;
        // db_common_parse(): in the query every field reads the key; in the result format only the upper case
        // and digit fields do, the lower case ones read the value.
        for (int t = 0; t < 2; t++) {
            boolean isQuery = t == 0;
            for (Part p : isQuery ? query : result) {
                if (p instanceof Field f) {
                    char c = f.code();
                    if (c == 'u' && !isQuery) {
                        vu = true;
                    } else if (c == 'd' && !isQuery) {
                        vd = true;
                    } else if (c == 'u' || c == 'U') {
                        ku = true;
                    } else if (c == 'd' || c == 'D') {
                        kd = true;
                    } else if (Character.isDigit(c)) {
                        kd = true;
                        n = Math.max(n, c - '0');
                    }
                }
            }
        }
        keyDomain = kd;
        keyUser = ku;
        valueDomain = vd;
        valueUser = vu;
        labels = n;
    }

    /** Parses both templates; an unknown {@code %x} (or a trailing {@code %}) is a {@link TableException}. */
    public static Expansion of(String queryTemplate, String resultFormat) {
        return new Expansion(parse(queryTemplate, "query"), parse(resultFormat, "result_format"));
    }

    private static List<Part> parse(String template, String what) {
        List<Part> parts = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        for (int i = 0; i < template.length(); i++) {
            char c = template.charAt(i);
            if (c != '%') {
                literal.append(c);
                continue;
            }
            char code = ++i < template.length() ? template.charAt(i) : 0;
            if (code == '%') {
                literal.append('%');
            } else if ("sudSUD".indexOf(code) >= 0 || (code >= '1' && code <= '9')) {
                if (!literal.isEmpty()) {
                    parts.add(new Literal(literal.toString()));
                    literal.setLength(0);
                }
                parts.add(new Field(code));
            } else {
                throw new TableException("invalid " + what + " template: " + template);
            }
        }
        if (!literal.isEmpty()) {
            parts.add(new Literal(literal.toString()));
        }
        return List.copyOf(parts);
    }

    /** An address split at its last {@code @}; user and domain are null without one. */
    private record Split(String whole, String user, String domain) {
        static Split of(String s) {
            int at = s.lastIndexOf('@');
            return at < 0 ? new Split(s, null, null) : new Split(s, s.substring(0, at), s.substring(at + 1));
        }

        /** Lacks what the flags ask for: a non-empty domain, a non-empty local part. */
        boolean lacks(boolean needDomain, boolean needUser) {
            return (needDomain && (domain == null || domain.isEmpty())) || (needUser && "".equals(user));
        }

        String userOrWhole() {
            return user != null ? user : whole;
        }
    }

    /**
     * The query for {@code key} with each expanded value passed through {@code quote}; empty when the key lacks what
     * the templates need (no domain for {@code %d}, an empty local part for {@code %u}, too few domain labels for
     * {@code %3}): Postfix then does not query and the answer is "not found".
     */
    public Optional<String> query(String key, UnaryOperator<String> quote) {
        Split k = Split.of(key);
        if (k.lacks(keyDomain, keyUser)) {
            return Optional.empty();
        }
        List<String> parts = labels(k);
        if (parts == null) {
            return Optional.empty();
        }
        StringBuilder out = new StringBuilder();
        for (Part p : query) {
            if (p instanceof Literal l) {
                out.append(l.text());
            } else if (p instanceof Field f) {
                out.append(quote.apply(keyField(f.code(), k, parts)));
            }
        }
        return Optional.of(out.toString());
    }

    /**
     * Appends {@code value}, one column of one row, expanded by the result format, after a comma when {@code out}
     * already holds a value. Returns false, appending nothing, for a NULL or empty value and for a value that lacks
     * what the format needs ({@code %d} of a value without a domain): such values are skipped, not errors.
     */
    public boolean appendResult(String value, String key, StringBuilder out) {
        if (value == null || value.isEmpty()) {
            return false;
        }
        Split v = Split.of(value);
        Split k = Split.of(key);
        if (v.lacks(valueDomain, valueUser) || k.lacks(keyDomain, keyUser)) {
            return false;
        }
        List<String> parts = labels(k);
        if (parts == null) {
            return false;
        }
        if (!out.isEmpty()) {
            out.append(',');
        }
        for (Part p : result) {
            if (p instanceof Literal l) {
                out.append(l.text());
            } else if (p instanceof Field f) {
                out.append(switch (f.code()) {
                    case 's' -> value;
                    case 'u' -> v.userOrWhole();
                    case 'd' -> v.domain();
                    default -> keyField(f.code(), k, parts);
                });
            }
        }
        return true;
    }

    /** The domain labels of the key, most significant first; null when there are fewer than the templates use. */
    private List<String> labels(Split k) {
        if (labels == 0) {
            return List.of();
        }
        // argv_split(): empty labels (a.b..c, a.b.) are skipped, not counted
        List<String> parts = new ArrayList<>();
        for (String label : k.domain().split("\\.")) {
            if (!label.isEmpty()) {
                parts.add(0, label);
            }
        }
        return parts.size() < labels ? null : parts;
    }

    private static String keyField(char code, Split k, List<String> labels) {
        return switch (code) {
            case 's', 'S' -> k.whole();
            case 'u', 'U' -> k.userOrWhole();
            case 'd', 'D' -> k.domain();
            default -> labels.get(code - '1');
        };
    }
}

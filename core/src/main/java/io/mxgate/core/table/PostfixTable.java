package io.mxgate.core.table;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A lookup table in the text format {@code postmap(1)} reads: {@code key whitespace value} per line, {@code #}
 * comments, blank lines ignored, a line that starts with whitespace continues the previous one. Keys are
 * case-folded as Postfix does for hash/btree/texthash tables. The {@code type:} prefix of a table name
 * ({@code hash:}, {@code btree:}, {@code texthash:}) selects nothing here: every type is read from its source text,
 * so an admin's {@code hash:/etc/postfix/transport} works without {@code postmap}.
 */
public final class PostfixTable {

    private static final List<String> TEXT_TYPES = List.of("hash", "btree", "texthash", "lmdb", "cdb");

    private final String name;
    private final Map<String, String> entries;
    private final Map<String, String> ordered;

    private PostfixTable(String name, Map<String, String> entries) {
        this.name = name;
        this.entries = Map.copyOf(entries);
        this.ordered = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(entries));
    }

    /** Opens {@code [type:]/path}; a missing file, unknown type or bad line is a {@link TableException}. */
    public static PostfixTable open(String tableName) {
        Path path = Path.of(pathOf(tableName));
        try {
            return parse(tableName, Files.readAllLines(path, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new TableException(tableName + ": cannot read " + path + ": " + e.getMessage());
        }
    }

    /** The file behind a table name: {@code hash:/etc/postfix/transport} is {@code /etc/postfix/transport}. */
    public static String pathOf(String tableName) {
        int colon = tableName.indexOf(':');
        if (colon < 0) {
            return tableName;
        }
        String type = tableName.substring(0, colon);
        if (!TEXT_TYPES.contains(type)) {
            throw new TableException(tableName + ": unsupported table type \"" + type + "\" (supported: "
                    + String.join(", ", TEXT_TYPES) + ", all read as text)");
        }
        return tableName.substring(colon + 1);
    }

    public static PostfixTable parse(String name, List<String> lines) {
        Map<String, String> entries = new LinkedHashMap<>();
        for (LogicalLine l : logicalLines(name, lines, "continuation line without a key")) {
            put(name, entries, l.text(), l.number());
        }
        return new PostfixTable(name, entries);
    }

    /** A line of a Postfix file with its continuation lines joined, and the number of its first line. */
    public record LogicalLine(int number, String text) {
    }

    /**
     * The logical lines of a Postfix file (tables, main.cf, SQL table files): {@code #} comments and blank lines
     * dropped, a line that starts with whitespace joined to the one before; {@code orphan} is the message when the
     * first line is such a continuation.
     */
    public static java.util.List<LogicalLine> logicalLines(String name, java.util.List<String> lines, String orphan) {
        java.util.List<LogicalLine> out = new java.util.ArrayList<>();
        StringBuilder logical = null;
        int logicalLine = 0;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            String stripped = line.strip();
            if (stripped.isEmpty() || stripped.startsWith("#")) {
                continue;
            }
            if (Character.isWhitespace(line.charAt(0))) {
                if (logical == null) {
                    throw new TableException(name + ", line " + (i + 1) + ": " + orphan);
                }
                logical.append(' ').append(stripped);
                continue;
            }
            if (logical != null) {
                out.add(new LogicalLine(logicalLine, logical.toString()));
            }
            logical = new StringBuilder(stripped);
            logicalLine = i + 1;
        }
        if (logical != null) {
            out.add(new LogicalLine(logicalLine, logical.toString()));
        }
        return out;
    }

    private static void put(String name, Map<String, String> entries, String logical, int lineNumber) {
        int ws = 0;
        while (ws < logical.length() && !Character.isWhitespace(logical.charAt(ws))) {
            ws++;
        }
        String key = logical.substring(0, ws).toLowerCase(Locale.ROOT);
        String value = logical.substring(ws).strip();
        if (value.isEmpty()) {
            throw new TableException(name + ", line " + lineNumber + ": expected \"key whitespace value\", got \""
                    + logical + "\"");
        }
        entries.putIfAbsent(key, value);  // Postfix uses the first of duplicate keys
    }

    public Optional<String> lookup(String key) {
        return Optional.ofNullable(entries.get(key.toLowerCase(Locale.ROOT)));
    }

    public Map<String, String> entries() {
        return entries;
    }

    /** The entries in file order (for first-match tables such as cidr). */
    public java.util.List<Map.Entry<String, String>> orderedEntries() {
        return java.util.List.copyOf(ordered.entrySet());
    }

    public String name() {
        return name;
    }

    /** A table that cannot be used; the message names the table and, where it applies, the line. */
    public static final class TableException extends RuntimeException {
        public TableException(String message) {
            super(message);
        }
    }
}

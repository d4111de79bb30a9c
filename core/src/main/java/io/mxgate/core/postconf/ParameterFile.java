package io.mxgate.core.postconf;

import io.mxgate.core.table.PostfixTable;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A file of {@code name = value} parameters in postconf(5)'s syntax, the format of main.cf and of the
 * {@code mysql:}/{@code pgsql:} table files (cfg_parser): {@code #} comments and blank lines are ignored, a line
 * that starts with whitespace continues the previous one, whitespace around {@code =} and at both ends of the value
 * is dropped. A later definition of a name replaces an earlier one, as in Postfix. {@code $name} is not expanded
 * here; that is the reader's business (main.cf expands, table files do not).
 */
public final class ParameterFile {

    private final String name;
    private final Map<String, String> parameters;

    private ParameterFile(String name, Map<String, String> parameters) {
        this.name = name;
        this.parameters = Collections.unmodifiableMap(parameters);
    }

    /** Reads a file; a missing file or a line that is not {@code name = value} is a {@link PostfixTable.TableException}. */
    public static ParameterFile read(Path file) {
        try {
            return parse(file.toString(), Files.readAllLines(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new PostfixTable.TableException(file + ": cannot read: " + e.getMessage());
        }
    }

    public static ParameterFile parse(String name, List<String> lines) {
        Map<String, String> out = new LinkedHashMap<>();
        for (PostfixTable.LogicalLine l : PostfixTable.logicalLines(name, lines, "text before the first parameter")) {
            put(name, out, l.text(), l.number());
        }
        return new ParameterFile(name, out);
    }

    private static void put(String file, Map<String, String> out, String logical, int lineNumber) {
        int eq = logical.indexOf('=');
        String key = eq < 0 ? "" : logical.substring(0, eq).strip();
        if (key.isEmpty() || key.chars().anyMatch(Character::isWhitespace)) {
            throw new PostfixTable.TableException(file + ", line " + lineNumber + ": expected \"name = value\", got \""
                    + logical + "\"");
        }
        out.remove(key);  // the last definition wins, and keeps its own place in the order
        out.put(key, logical.substring(eq + 1).strip());
    }

    /** The file's name, for messages. */
    public String name() {
        return name;
    }

    /** Every parameter in file order, as written (no {@code $name} expansion). */
    public Map<String, String> parameters() {
        return parameters;
    }

    public String get(String parameter, String fallback) {
        return parameters.getOrDefault(parameter, fallback);
    }
}

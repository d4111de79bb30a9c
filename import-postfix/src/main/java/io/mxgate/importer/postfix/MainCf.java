package io.mxgate.importer.postfix;

import io.mxgate.core.postconf.ParameterFile;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * main.cf as Postfix sees it: the parameters the file sets, and the value of any parameter with {@code $name},
 * {@code ${name}}, {@code $(name)}, {@code ${name?text}} and {@code ${name:text}} expanded (mac_expand(3)), names the
 * file does not set taking Postfix's defaults ({@link PostfixDefaults}). A name with neither expands to nothing, as in
 * Postfix, and is remembered so the importer can say so.
 */
public final class MainCf {

    private static final Pattern REFERENCE = Pattern.compile(
            "\\$(?:\\{([A-Za-z0-9_]+)(?:([?:])([^}]*))?}|\\(([A-Za-z0-9_]+)(?:([?:])([^)]*))?\\)|([A-Za-z0-9_]+)|(\\$))");
    // Postfix gives up after this many nested expansions (mac_expand's recursion limit)
    private static final int MAX_DEPTH = 100;

    private final ParameterFile file;
    private final int compatibilityLevel;
    private final Set<String> undefined = new TreeSet<>();

    private MainCf(ParameterFile file) {
        this.file = file;
        String level = file.get("compatibility_level", "0");
        this.compatibilityLevel = level.matches("[0-9]+(\\.[0-9]+)*") ? Integer.parseInt(level.split("\\.")[0]) : 0;
    }

    public static MainCf of(ParameterFile file) {
        return new MainCf(file);
    }

    /** The parameters main.cf sets, in file order, unexpanded. */
    public Map<String, String> parameters() {
        return file.parameters();
    }

    public String name() {
        return file.name();
    }

    /** The expanded value of {@code name}: main.cf's, else Postfix's default, else empty. */
    public String value(String name) {
        return expand(raw(name).orElseGet(() -> {
            undefined.add(name);
            return "";
        }));
    }

    /** The expanded default of {@code name}, when the importer knows it. */
    public Optional<String> defaultValue(String name) {
        if (name.equals("mydomain")) {
            return Optional.of(derivedDomain());
        }
        return PostfixDefaults.of(name, compatibilityLevel).map(this::expand);
    }

    /** Expands every {@code $name} in {@code text}. */
    public String expand(String text) {
        return expand(text, new ArrayDeque<>());
    }

    /** Names that were expanded but neither set nor known to have a default (Postfix expands them to nothing). */
    public Set<String> undefinedNames() {
        return undefined;
    }

    private Optional<String> raw(String name) {
        String set = file.parameters().get(name);
        if (set != null) {
            return Optional.of(set);
        }
        if (name.equals("mydomain")) {
            return Optional.of(derivedDomain());
        }
        return PostfixDefaults.of(name, compatibilityLevel);
    }

    /** Postfix's mydomain: myhostname without its first label, or "localdomain" for a name without a dot. */
    private String derivedDomain() {
        String host = value("myhostname");
        int dot = host.indexOf('.');
        return dot < 0 || dot == host.length() - 1 ? "localdomain" : host.substring(dot + 1);
    }

    private String expand(String text, Deque<String> stack) {
        if (text.indexOf('$') < 0) {
            return text;
        }
        if (stack.size() > MAX_DEPTH) {
            throw new IllegalArgumentException(file.name() + ": $" + stack.peek() + ": expansion nested too deeply");
        }
        Matcher m = REFERENCE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String replacement;
            if (m.group(8) != null) {
                replacement = "$";
            } else {
                String name = m.group(1) != null ? m.group(1) : m.group(4) != null ? m.group(4) : m.group(7);
                String op = m.group(2) != null ? m.group(2) : m.group(5);
                String alternative = m.group(3) != null ? m.group(3) : m.group(6);
                if (stack.contains(name)) {
                    throw new IllegalArgumentException(file.name() + ": $" + name + " refers to itself");
                }
                stack.push(name);
                String value = expand(raw(name).orElseGet(() -> {
                    undefined.add(name);
                    return "";
                }), stack);
                if ("?".equals(op)) {
                    value = value.isEmpty() ? "" : expand(alternative, stack);
                } else if (":".equals(op)) {
                    value = value.isEmpty() ? expand(alternative, stack) : value;
                }
                stack.pop();
                replacement = value;
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Every parameter main.cf sets, expanded (for tests and messages). */
    public Map<String, String> expanded() {
        Map<String, String> out = new LinkedHashMap<>();
        file.parameters().keySet().forEach(n -> out.put(n, value(n)));
        return out;
    }
}

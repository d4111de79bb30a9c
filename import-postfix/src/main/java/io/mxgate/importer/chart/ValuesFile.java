package io.mxgate.importer.chart;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.mxgate.importer.table.SqlTable;

import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A values file for helm/mxgate under construction: {@link #put} a value at a path ({@code [smtpIngress, config,
 * mynetworks]}), add the tables, then {@link #yaml()}. Only what differs from the chart's defaults is in it, so it is
 * given to {@code helm install -f} on top of them.
 */
public final class ValuesFile {

    private static final YAMLMapper YAML = new YAMLMapper(YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
            .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
            .disable(YAMLGenerator.Feature.SPLIT_LINES)
            .build());

    private final Map<String, Object> root = new LinkedHashMap<>();

    /** Sets the value at {@code path}, replacing what was there (a later setting wins, as in Postfix). */
    @SuppressWarnings("unchecked")
    public void put(List<String> path, Object value) {
        Map<String, Object> node = root;
        for (String key : path.subList(0, path.size() - 1)) {
            node = (Map<String, Object>) node.computeIfAbsent(key, k -> new LinkedHashMap<String, Object>());
        }
        node.put(path.get(path.size() - 1), value);
    }

    public void tables(Map<String, String> tables) {
        if (!tables.isEmpty()) {
            root.put("tables", new LinkedHashMap<>(tables));
        }
    }

    public void sqlTables(Map<String, SqlTable> sqlTables) {
        if (sqlTables.isEmpty()) {
            return;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        sqlTables.forEach((file, table) -> {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("parameters", new LinkedHashMap<>(table.parameters()));
            table.passwordSecret().ifPresent(s -> {
                Map<String, Object> secret = new LinkedHashMap<>();
                secret.put("name", s.name());
                secret.put("key", s.key());
                entry.put("passwordSecret", secret);
            });
            out.put(file, entry);
        });
        root.put("sqlTables", out);
    }

    public Map<String, Object> values() {
        return root;
    }

    public String yaml() {
        try {
            return YAML.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package io.mxgate.queue.intake;

import org.apache.kafka.common.TopicPartition;

import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;

/**
 * The genesis mark's value (ADR 0010): per partition of the incoming and deferred topics, the offset from which an
 * unmarked record counts for the index; lines of {@code topic TAB partition TAB offset}. The same text is the
 * index's epoch in Redis.
 */
final class Genesis {

    private Genesis() {
    }

    static String encode(Map<TopicPartition, Long> offsets) {
        StringBuilder sb = new StringBuilder();
        offsets.entrySet().stream()
                .sorted(Comparator.comparing((Map.Entry<TopicPartition, Long> e) -> e.getKey().topic())
                        .thenComparingInt(e -> e.getKey().partition()))
                .forEach(e -> sb.append(e.getKey().topic()).append('\t').append(e.getKey().partition()).append('\t')
                        .append(e.getValue()).append('\n'));
        return sb.toString();
    }

    /** Throws IllegalArgumentException on a line that is not {@code topic TAB partition TAB offset}. */
    static Map<TopicPartition, Long> decode(String text) {
        Map<TopicPartition, Long> out = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split("\t");
            if (f.length != 3) {
                throw new IllegalArgumentException("genesis mark line: " + line);
            }
            out.put(new TopicPartition(f[0], Integer.parseInt(f[1])), Long.parseLong(f[2]));
        }
        return out;
    }
}

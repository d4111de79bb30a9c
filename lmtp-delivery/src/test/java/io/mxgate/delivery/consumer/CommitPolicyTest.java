package io.mxgate.delivery.consumer;

import io.mxgate.delivery.consumer.CommitPolicy.Entry;
import io.mxgate.delivery.consumer.CommitPolicy.Outcome;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The commit-and-hold policy as a table. A poll is written as {@code partition:offset=D|H} items (D done, H held),
 * each partition's in offset order; the expected maps as {@code partition=offset} (ahead: {@code partition=o1/o2}).
 */
class CommitPolicyTest {

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            # case                                 | poll                                  | commit       | seek  | ahead
            all done                               | "0:5=D 0:6=D 0:7=D"                   | 0=8          |       |
            first held: nothing committed          | "0:5=H 0:6=D 0:7=D"                   |              | 0=5   | 0=6/7
            held in the middle                     | "0:5=D 0:6=H 0:7=D"                   | 0=6          | 0=6   | 0=7
            last held                              | "0:5=D 0:6=D 0:7=H"                   | 0=7          | 0=7   |
            two held: seek to the first            | "0:5=D 0:6=H 0:7=D 0:8=H 0:9=D"       | 0=6          | 0=6   | 0=7/9
            not started after a hold is not ahead  | "0:5=H 0:6=H 0:7=H"                   |              | 0=5   |
            partitions are independent             | "0:5=D 0:6=H 1:3=D 1:4=D"             | 0=6 1=5      | 0=6   |
            held partition beside a done one       | "0:5=H 0:6=D 1:3=D"                   | 1=4          | 0=5   | 0=6
            both partitions held                   | "0:5=D 0:6=H 1:3=H 1:4=D"             | 0=6          | 0=6 1=3 | 1=4
            one record done                        | "2:0=D"                               | 2=1          |       |
            one record held                        | "2:0=H"                               |              | 2=0   |
            """)
    void settles(String name, String poll, String commit, String seek, String ahead) {
        List<Entry> entries = new ArrayList<>();
        for (String item : poll.split(" ")) {
            String[] p = item.split("[:=]");
            entries.add(new Entry(tp(p[0]), Long.parseLong(p[1]), p[2].equals("D") ? Outcome.DONE : Outcome.HOLD));
        }
        CommitPolicy.Settlement s = CommitPolicy.settle(entries);
        assertEquals(parse(commit), text(s.commit()), "commit");
        assertEquals(parse(seek), text(s.seek()), "seek");
        assertEquals(parse(ahead), s.deliveredAhead().entrySet().stream().collect(Collectors.toMap(
                e -> e.getKey().partition(), e -> e.getValue().stream().map(String::valueOf)
                        .collect(Collectors.joining("/")), (a, b) -> a, TreeMap::new)), "delivered ahead");
    }

    private static TopicPartition tp(String partition) {
        return new TopicPartition("mxgate.incoming", Integer.parseInt(partition));
    }

    private static Map<Integer, String> parse(String spec) {
        Map<Integer, String> m = new TreeMap<>();
        if (spec != null) {
            for (String kv : spec.trim().split(" ")) {
                String[] p = kv.split("=");
                m.put(Integer.parseInt(p[0]), p[1]);
            }
        }
        return m;
    }

    private static Map<Integer, String> text(Map<TopicPartition, Long> offsets) {
        return offsets.entrySet().stream().collect(Collectors.toMap(e -> e.getKey().partition(),
                e -> String.valueOf(e.getValue()), (a, b) -> a, TreeMap::new));
    }
}

package io.mxgate.core.kafka;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DurabilityTest {

    @ParameterizedTest(name = "want rf {0} min {1}; topic rf {2} min {3} unclean {4}")
    @CsvSource(delimiter = '|', value = {
            "3 | 2 | 3 | 2 | false | ''",
            "3 | 2 | 5 | 3 | false | ''",
            "1 | 1 | 1 | 1 | false | ''",
            "3 | 2 | 1 | 2 | false | replication factor 1 < mxgate.kafka.replication-factor 3",
            "3 | 2 | 3 | 1 | false | min.insync.replicas 1 < mxgate.kafka.min-insync-replicas 2",
            "3 | 2 | 3 | 2 | true  | unclean.leader.election.enable=true",
            "3 | 2 | 1 | 1 | true  | replication factor 1 < mxgate.kafka.replication-factor 3;"
                    + "min.insync.replicas 1 < mxgate.kafka.min-insync-replicas 2;unclean.leader.election.enable=true",
    })
    void shortfalls(short rf, int min, int topicRf, int topicMin, boolean unclean, String expected) {
        List<String> want = expected.isEmpty() ? List.of() : List.of(expected.split(";"));
        assertEquals(want, new Durability(rf, min).shortfalls(new Durability.Observed("t", topicRf, topicMin, unclean)));
    }

    @ParameterizedTest(name = "rf {0} min {1} is refused")
    @CsvSource({"1, 2", "3, 4", "0, 1", "3, 0"})
    void impossibleSettingsAreRefused(short rf, int min) {
        assertThrows(IllegalArgumentException.class, () -> new Durability(rf, min));
    }
}

package io.mxgate.queue.intake;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** ADR 0010: an index is older than the topics when the intake committed beyond what the index noted it holds. */
class IndexAgeTest {

    private static final String IN0 = "mxgate.incoming:0";
    private static final String DEF0 = "mxgate.deferred:0";

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("caught up", Map.of(IN0, 10L, DEF0, 3L), Map.of(IN0, 10L, DEF0, 3L), null),
                Arguments.of("noted but not yet committed (a commit refused or under way)", Map.of(IN0, 10L),
                        Map.of(IN0, 12L), null),
                Arguments.of("an old snapshot: committed beyond the note", Map.of(IN0, 10L, DEF0, 3L),
                        Map.of(IN0, 7L, DEF0, 3L), IN0 + " committed up to 10, indexed up to 7"),
                Arguments.of("a partition the index never noted", Map.of(IN0, 10L, DEF0, 3L), Map.of(IN0, 10L),
                        DEF0 + " committed up to 3, indexed up to 0"),
                Arguments.of("nothing committed yet", Map.of(), Map.of(IN0, 5L), null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void behind(String name, Map<String, Long> committed, Map<String, Long> applied, String expected) {
        assertEquals(expected, Reindex.behind(committed, applied));
    }
}

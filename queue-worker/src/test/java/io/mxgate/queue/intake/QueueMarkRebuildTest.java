package io.mxgate.queue.intake;

import io.mxgate.core.address.AddressParser;
import io.mxgate.core.address.MailAddress;
import io.mxgate.core.dsn.RecipientStatus;
import io.mxgate.core.smtp.EnhancedStatus;
import io.mxgate.queue.store.QueueMark;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** ADR 0010: what a rebuild of the queue index queues for a source record, and the marks it reads. */
class QueueMarkRebuildTest {

    private static final RecipientStatus A = status("a@up.test", "");
    private static final RecipientStatus B = status("b@down.test", "");
    private static final RecipientStatus B_DEFERRED = status("b@down.test", "connect to down.test: Connection refused");

    static Stream<Arguments> cases() {
        QueueMark done = new QueueMark("t:0:1", "Q1", 1, List.of());
        QueueMark partial = new QueueMark("t:0:1", "Q1", 1, List.of(B_DEFERRED));
        return Stream.of(
                Arguments.of("unmarked after genesis: all of ours", List.of(A, B), null, false, List.of(A, B)),
                Arguments.of("unmarked before genesis: delivered before marks existed", List.of(A, B), null, true,
                        List.of()),
                Arguments.of("finished", List.of(A, B), done, false, List.of()),
                Arguments.of("finished before genesis", List.of(A, B), done, true, List.of()),
                Arguments.of("partly delivered: what the mark left", List.of(A, B), partial, false,
                        List.of(B_DEFERRED)),
                Arguments.of("live at genesis: its mark counts", List.of(A, B), partial, true, List.of(B_DEFERRED)),
                Arguments.of("none of ours", List.of(), null, false, List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void pending(String name, List<RecipientStatus> fromRecord, QueueMark mark, boolean beforeGenesis,
                 List<RecipientStatus> expected) {
        assertEquals(expected, Reindex.pending(fromRecord, mark, beforeGenesis));
    }

    @Test
    void markRoundTrip() {
        for (QueueMark m : List.of(new QueueMark("mxgate.incoming:3:42", "4Xq1", 2, List.of(B_DEFERRED)),
                new QueueMark("mxgate.deferred:0:7", "4Xq2", 0, List.of()))) {
            ProducerRecord<String, byte[]> p = m.record("mxgate.queue-state");
            ConsumerRecord<String, byte[]> c = new ConsumerRecord<>(p.topic(), 0, 0, 0L, TimestampType.CREATE_TIME,
                    0, 0, p.key(), p.value(), new RecordHeaders(p.headers().toArray()), Optional.empty());
            assertEquals(m, QueueMark.of(c));
        }
    }

    @Test
    void notAMark() {
        ConsumerRecord<String, byte[]> c = new ConsumerRecord<>("mxgate.queue-state", 0, 0, "x", "V 1\n".getBytes());
        assertThrows(IllegalArgumentException.class, () -> QueueMark.of(c));
    }

    @Test
    void genesisRoundTrip() {
        Map<TopicPartition, Long> offsets = Map.of(new TopicPartition("mxgate.incoming", 0), 12L,
                new TopicPartition("mxgate.incoming", 10), 0L, new TopicPartition("mxgate.deferred", 3), 7L);
        String text = Genesis.encode(offsets);
        assertEquals("mxgate.deferred\t3\t7\nmxgate.incoming\t0\t12\nmxgate.incoming\t10\t0\n", text);
        assertEquals(offsets, Genesis.decode(text));
        assertThrows(IllegalArgumentException.class, () -> Genesis.decode("mxgate.incoming\t0\n"));
    }

    private static RecipientStatus status(String address, String reason) {
        MailAddress a = AddressParser.parseMailbox(address);
        return RecipientStatus.of(a, a, EnhancedStatus.of(4, 0, 0), reason);
    }
}

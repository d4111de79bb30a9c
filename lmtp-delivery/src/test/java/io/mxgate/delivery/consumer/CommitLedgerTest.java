package io.mxgate.delivery.consumer;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CommitLedgerTest {

    private static final TopicPartition P0 = new TopicPartition("mxgate.incoming", 0);
    private static final TopicPartition P1 = new TopicPartition("mxgate.incoming", 1);

    /**
     * Offsets 10..14 of one partition are polled; the ones listed finish, in that order. The commit never moves past
     * an unfinished record, and the rewind starts at the first one.
     */
    @ParameterizedTest(name = "finished [{0}] -> commit {1}, rewind {2}, unfinished {3}")
    @CsvSource(delimiter = ';', nullValues = "-", value = {
            "-;             -;  10; 5",
            "10;            11; 11; 4",
            "11;            -;  10; 4",
            "11 12 13 14;   -;  10; 1",
            "11 12 13 14 10; 15; -; 0",
            "10 11 13;      12; 12; 2",
            "14 13 12 11 10; 15; -; 0",
            "10 10 10;      11; 11; 4",
            "99;            -;  10; 5",
    })
    void commitsOnlyPastFinishedHead(String finished, Long commit, Long rewind, int unfinished) {
        CommitLedger ledger = new CommitLedger();
        poll(ledger, P0, 10, 11, 12, 13, 14);
        if (finished != null) {
            for (String offset : finished.trim().split(" +")) {
                ledger.finished(P0, Long.parseLong(offset));
            }
        }
        assertEquals(unfinished, ledger.unfinished());
        assertEquals(commit == null ? Map.of() : Map.of(P0, new OffsetAndMetadata(commit)), ledger.takeCommittable());
        assertEquals(Map.of(), ledger.takeCommittable(), "an offset is handed out once");
        assertEquals(rewind == null ? Map.of() : Map.of(P0, rewind), ledger.takeRewind());
        assertEquals(0, ledger.unfinished());
    }

    @Test
    void partitionsAreIndependent() {
        CommitLedger ledger = new CommitLedger();
        poll(ledger, P0, 5);
        poll(ledger, P1, 7, 8);
        ledger.finished(P1, 7);
        assertEquals(Map.of(P1, new OffsetAndMetadata(8)), ledger.takeCommittable());
        ledger.finished(P0, 5);
        ledger.finished(P1, 8);
        assertEquals(Map.of(P0, new OffsetAndMetadata(6), P1, new OffsetAndMetadata(9)), ledger.takeCommittable());
    }

    @Test
    void forgottenPartitionsNoLongerCount() {
        CommitLedger ledger = new CommitLedger();
        poll(ledger, P0, 1, 2);
        poll(ledger, P1, 1);
        ledger.finished(P0, 1);
        ledger.forget(List.of(P0));
        assertEquals(1, ledger.unfinished());
        ledger.finished(P0, 2);
        assertEquals(Map.of(), ledger.takeCommittable());
        assertEquals(Map.of(P1, 1L), ledger.takeRewind());
    }

    private static void poll(CommitLedger ledger, TopicPartition partition, long... offsets) {
        for (long offset : offsets) {
            ledger.polled(partition, offset);
        }
    }
}

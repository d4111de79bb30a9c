package io.mxgate.queue.schedule;

import io.mxgate.core.address.AddressParser;
import io.mxgate.core.address.MailAddress;
import io.mxgate.core.envelope.Envelope;
import io.mxgate.queue.store.QueueEntry;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** ADR 0010: an entry is delivered only from a record that carries its own queue id. */
class OtherMessageTest {

    private static final MailAddress SENDER = AddressParser.parseMailbox("s@remote.test");
    private static final QueueEntry ENTRY = new QueueEntry("mxgate.incoming:0:42", "4XqAAA", "mxgate.incoming", 0, 42,
            100, Instant.EPOCH, SENDER, 1, "active", Instant.EPOCH, List.of(), "token");

    @Test
    void theEntrysOwnMessage() {
        assertNull(QueueManager.otherMessage(ENTRY, envelope("4XqAAA")));
    }

    @Test
    void anotherMessageAtTheSameOffsetIsRefused() {
        assertEquals("mxgate.incoming:0:42 holds message 4XqBBB, not 4XqAAA",
                QueueManager.otherMessage(ENTRY, envelope("4XqBBB")));
    }

    private static Envelope envelope(String queueId) {
        MailAddress rcpt = AddressParser.parseMailbox("b@down.test");
        return new Envelope(queueId, Instant.EPOCH, SENDER, List.of(rcpt),
                new Envelope.Client("localhost", "127.0.0.1", "localhost", "test"), 0, "", Map.of(), Map.of());
    }
}

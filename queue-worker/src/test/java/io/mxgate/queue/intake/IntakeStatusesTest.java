package io.mxgate.queue.intake;

import io.mxgate.core.address.AddressParser;
import io.mxgate.core.dsn.RecipientStatus;
import io.mxgate.core.dsn.RecipientStatusCodec;
import io.mxgate.core.envelope.Envelope;
import io.mxgate.core.kafka.QueueRecords;
import io.mxgate.core.smtp.EnhancedStatus;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Per-recipient status read from lmtp-delivery's deferred and bounce records (one reason for all recipients). */
class IntakeStatusesTest {

    private static ConsumerRecord<String, byte[]> record(String topic, String reason, List<RecipientStatus> header) {
        Envelope e = new Envelope("QID", Instant.EPOCH, AddressParser.parseMailbox("s@remote.test"),
                List.of(AddressParser.parseMailbox("a@example.test"), AddressParser.parseMailbox("b@example.test")),
                new Envelope.Client("c", "1.2.3.4", "h", "ESMTP"), 1, reason);
        ProducerRecord<String, byte[]> p = QueueRecords.record(topic, e, new byte[0]);
        if (header != null) {
            p.headers().add(RecipientStatusCodec.HEADER, RecipientStatusCodec.encodeBytes(header));
        }
        return new ConsumerRecord<>(topic, 0, 0, 0L, org.apache.kafka.common.record.TimestampType.CREATE_TIME, 0, 0,
                "QID", new byte[0], p.headers(), Optional.empty());
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @CsvSource(delimiter = '|', textBlock = """
            true  | host 127.0.0.1[127.0.0.1] said: 550 5.1.1 <a@example.test> User doesn't exist: a@example.test (in reply to RCPT TO command) | 5.1.1 | 127.0.0.1 | 550 5.1.1 <a@example.test> User doesn't exist: a@example.test
            false | host 127.0.0.1[127.0.0.1] said: 452 4.2.2 <a@example.test> Quota exceeded (mailbox for user is full) (in reply to end of DATA command) | 4.2.2 | 127.0.0.1 | 452 4.2.2 <a@example.test> Quota exceeded (mailbox for user is full)
            false | lost connection with 127.0.0.1[127.0.0.1] while sending end of data -- message may be sent more than once | 4.0.0 | '' | ''
            true  | something else | 5.0.0 | '' | ''
            """)
    void fromTheEnvelopeReason(boolean bounce, String reason, String dsn, String remote, String diagnostic) {
        List<RecipientStatus> s = Intake.statuses(record(bounce ? "mxgate.bounce" : "mxgate.deferred", reason, null),
                QueueRecords.envelope(record("t", reason, null)), bounce);
        assertEquals(2, s.size());
        for (RecipientStatus r : s) {
            assertEquals(dsn, r.dsn().toString());
            assertEquals(reason, r.reason());
            assertEquals(remote == null ? "" : remote, r.remoteMta());
            assertEquals(diagnostic == null ? "" : diagnostic, r.diagnostic());
        }
    }

    @Test
    void theHeaderWinsWhenPresent() {
        List<RecipientStatus> header = List.of(RecipientStatus.of(AddressParser.parseMailbox("a@example.test"), null,
                EnhancedStatus.of(4, 7, 1), "greylisted"));
        ConsumerRecord<String, byte[]> r = record("mxgate.deferred", "ignored", header);
        assertEquals(header, Intake.statuses(r, QueueRecords.envelope(r), false));
    }
}

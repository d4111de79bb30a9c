package io.mxgate.core.kafka;

import io.mxgate.core.envelope.Envelope;
import io.mxgate.core.envelope.EnvelopeCodec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The layout of a queued message on every topic (ADR 0002): key = queue id, value = the message bytes exactly as
 * they will be delivered (Received header first, CRLF lines, not dot-stuffed), header {@value EnvelopeCodec#HEADER}
 * = the envelope.
 */
public final class QueueRecords {

    private QueueRecords() {
    }

    public static ProducerRecord<String, byte[]> record(String topic, Envelope envelope, byte[] message) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(EnvelopeCodec.HEADER, EnvelopeCodec.encode(envelope));
        return new ProducerRecord<>(topic, null, envelope.queueId(), message, headers);
    }

    /** The envelope of a record; a missing or unreadable header is a {@link EnvelopeCodec.MalformedEnvelopeException}. */
    public static Envelope envelope(ConsumerRecord<String, byte[]> record) {
        Header header = record.headers().lastHeader(EnvelopeCodec.HEADER);
        if (header == null) {
            throw new EnvelopeCodec.MalformedEnvelopeException("record without " + EnvelopeCodec.HEADER + " header");
        }
        return EnvelopeCodec.decode(header.value());
    }
}

package io.mxgate.queue.store;

import io.mxgate.core.dsn.RecipientStatus;
import io.mxgate.core.dsn.RecipientStatusCodec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * What the queue state topic says about one queue entry (ADR 0010): the recipients it still has after an attempt
 * that delivered or bounced some of them, none when it is finished. Written to Kafka before the Redis index changes,
 * so that an index rebuilt from the topics neither delivers a finished recipient again nor forgets a deferred one.
 * Key: the entry id ({@code topic:partition:offset}); value: the remaining recipients in {@link RecipientStatusCodec}
 * form; headers: the queue id and the attempts made.
 */
public record QueueMark(String entryId, String queueId, int attempts, List<RecipientStatus> remaining) {

    static final String QUEUE_ID = "mxgate-queue-id";
    static final String ATTEMPTS = "mxgate-attempts";

    public QueueMark {
        remaining = List.copyOf(remaining);
    }

    /** Nothing of the entry is left to deliver. */
    public boolean done() {
        return remaining.isEmpty();
    }

    public ProducerRecord<String, byte[]> record(String topic) {
        RecordHeaders h = new RecordHeaders();
        h.add(QUEUE_ID, queueId.getBytes(StandardCharsets.UTF_8));
        h.add(ATTEMPTS, Integer.toString(attempts).getBytes(StandardCharsets.UTF_8));
        return new ProducerRecord<>(topic, null, entryId, RecipientStatusCodec.encodeBytes(remaining), h);
    }

    /** Reads a mark back; throws IllegalArgumentException when the record is not one. */
    public static QueueMark of(ConsumerRecord<String, byte[]> r) {
        if (r.key() == null || r.value() == null) {
            throw new IllegalArgumentException("queue mark without key or value");
        }
        try {
            return new QueueMark(r.key(), header(r, QUEUE_ID), Integer.parseInt(header(r, ATTEMPTS)),
                    RecipientStatusCodec.decode(r.value()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("queue mark " + r.key() + ": bad attempts header", e);
        }
    }

    private static String header(ConsumerRecord<String, byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        if (h == null) {
            throw new IllegalArgumentException("queue mark " + r.key() + " without " + name);
        }
        return new String(h.value(), StandardCharsets.UTF_8);
    }
}

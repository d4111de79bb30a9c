package io.mxgate.queue.store;

import io.mxgate.core.address.AddressParser;
import io.mxgate.core.address.MailAddress;
import io.mxgate.core.dsn.RecipientStatus;
import io.mxgate.core.dsn.RecipientStatusCodec;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One queue entry: a Kafka record (the message bytes and envelope, by topic, partition and offset) and the
 * recipients of it that are still to be delivered, each with its last status. A message has one entry per record
 * that carries some of its recipients (the incoming record for queue-worker's own recipients, a deferred record
 * for each of lmtp-delivery's deferrals).
 *
 * @param id     {@code topic:partition:offset}, so that indexing the same record twice is a no-op
 * @param state  {@code deferred} (waiting for its due time), {@code active} (being delivered), {@code hold}
 */
public record QueueEntry(String id, String queueId, String topic, int partition, long offset, long size,
                         Instant arrival, MailAddress sender, int attempts, String state, Instant due,
                         List<RecipientStatus> recipients, String token) {

    public QueueEntry {
        recipients = List.copyOf(recipients);
    }

    public static String id(String topic, int partition, long offset) {
        return topic + ":" + partition + ":" + offset;
    }

    static QueueEntry fromHash(String id, Map<String, String> h) {
        String sender = h.getOrDefault("sender", "");
        MailAddress s = sender.isEmpty() ? MailAddress.NULL_SENDER : AddressParser.parseMailbox(sender);
        return new QueueEntry(id, h.getOrDefault("qid", ""), h.getOrDefault("topic", ""),
                Integer.parseInt(h.getOrDefault("partition", "0")), Long.parseLong(h.getOrDefault("offset", "0")),
                Long.parseLong(h.getOrDefault("size", "0")), Instant.ofEpochMilli(Long.parseLong(h.getOrDefault(
                "arrival", "0"))), s == null ? MailAddress.NULL_SENDER : s,
                Integer.parseInt(h.getOrDefault("attempts", "0")), h.getOrDefault("state", ""),
                Instant.ofEpochMilli(Long.parseLong(h.getOrDefault("due", "0"))),
                h.containsKey("rcpt") ? RecipientStatusCodec.decode(h.get("rcpt")) : List.of(),
                h.getOrDefault("token", ""));
    }
}

package io.mxgate.delivery.consumer;

import io.micrometer.core.instrument.MeterRegistry;
import io.mxgate.core.address.MailAddress;
import io.mxgate.core.delivery.RecipientResult;
import io.mxgate.core.envelope.Envelope;
import io.mxgate.core.envelope.EnvelopeCodec;
import io.mxgate.core.kafka.QueueRecords;
import io.mxgate.core.routing.RecipientResolver;
import io.mxgate.delivery.DeliveryConfig;
import io.mxgate.delivery.lmtp.LmtpAgent;
import io.vertx.core.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * One record of the incoming or mailbox topic: decodes its envelope, keeps the recipients this service owns, hands a
 * mailbox record's other recipients to queue-worker (ADR 0007), delivers over LMTP and says which follow-up records
 * (deferred, bounce, corrupt) must be acknowledged by Kafka before its offset may be committed. Writes nothing to
 * Kafka itself: the loop does, for the whole poll at once.
 */
final class RecordRouter {

    private static final Logger LOG = Logger.getLogger("qmgr");

    private final DeliveryConfig.Kafka topics;
    private final Supplier<RecipientResolver> resolver;
    private final LmtpAgent agent;
    private final MeterRegistry metrics;

    /** What one record came to. */
    sealed interface Routed {
        /**
         * Every recipient has an outcome; {@code followUps} must be acknowledged before the commit.
         * {@code messageDone}: this service finished the whole message (qmgr's {@code removed} line).
         */
        record Done(List<ProducerRecord<String, byte[]>> followUps, boolean messageDone) implements Routed {
        }

        /** Nothing of it may be committed yet; {@code backendDown} when the LMTP backend could not be reached. */
        record Hold(String why, boolean backendDown) implements Routed {
        }
    }

    RecordRouter(DeliveryConfig.Kafka topics, Supplier<RecipientResolver> resolver, LmtpAgent agent,
                 MeterRegistry metrics) {
        this.topics = topics;
        this.resolver = resolver;
        this.agent = agent;
        this.metrics = metrics;
    }

    Future<Routed> route(ConsumerRecord<String, byte[]> record, Instant dequeued) {
        Envelope envelope;
        try {
            envelope = QueueRecords.envelope(record);
        } catch (EnvelopeCodec.MalformedEnvelopeException e) {
            LOG.warnf("warning: %s: corrupt queue record (%s); moved to %s", record.key(), e.getMessage(),
                    topics.corruptTopic());
            return Future.succeededFuture(new Routed.Done(List.of(new ProducerRecord<>(topics.corruptTopic(), null,
                    record.key(), record.value(), record.headers())), false));
        }
        // smtp-ingress chose the consumer of each recipient; a record written before it did is split by this
        // service's own tables
        List<Future<Boolean>> classes = new ArrayList<>();
        for (MailAddress r : envelope.recipients()) {
            classes.add(envelope.agent(r).map(a -> Future.succeededFuture(a == Envelope.Agent.LMTP))
                    .orElseGet(() -> resolver.get().isVirtualMailbox(r)));
        }
        // a domain table that cannot answer holds the record: it is tried again, never dropped
        return Future.all(classes).compose(all -> {
            List<MailAddress> ours = new ArrayList<>();
            for (int i = 0; i < classes.size(); i++) {
                if (classes.get(i).result()) {
                    ours.add(envelope.recipients().get(i));
                }
            }
            List<ProducerRecord<String, byte[]>> followUps = new ArrayList<>();
            boolean mailbox = record.topic().equals(topics.mailboxTopic());
            if (mailbox && ours.size() < envelope.recipients().size()) {
                followUps.add(handOver(record, envelope, ours));
            }
            if (ours.isEmpty()) {
                return Future.succeededFuture((Routed) new Routed.Done(followUps, false));
            }
            return deliver(record, envelope, ours, dequeued, followUps, mailbox);
        }, failure -> Future.succeededFuture(new Routed.Hold("recipient lookup failed: " + failure.getMessage(),
                false)));
    }

    private Future<Routed> deliver(ConsumerRecord<String, byte[]> record, Envelope envelope, List<MailAddress> ours,
                                   Instant dequeued, List<ProducerRecord<String, byte[]>> followUps, boolean mailbox) {
        return agent.deliver(envelope, ours, record.value(), dequeued).map(attempt -> {
            if (attempt instanceof LmtpAgent.Attempt.BackendDown down) {
                return new Routed.Hold(down.cause().getMessage(), true);
            }
            List<RecipientResult> results = ((LmtpAgent.Attempt.Done) attempt).results();
            followUp(record, envelope, results, RecipientResult.Status.DEFERRED, topics.deferredTopic(), followUps);
            followUp(record, envelope, results, RecipientResult.Status.BOUNCED, topics.bounceTopic(), followUps);
            for (RecipientResult r : results) {
                metrics.counter("mxgate.delivery.recipients", "status", r.status().logWord()).increment();
            }
            // Only a mailbox record holds all of a message's recipients here (ADR 0007); it is finished when nothing
            // went on to the deferred topic (queue-worker logs "removed" for that part). Bounced recipients are done
            // once their bounce record is acknowledged, as in Postfix. An incoming record is shared with
            // queue-worker, and neither side knows when the other's recipients are done: nothing is logged for it.
            return new Routed.Done(followUps, mailbox && followUps.stream()
                    .noneMatch(f -> f.topic().equals(topics.deferredTopic())));
        });
    }

    /** Adds the record for the recipients with {@code status}, if there are any. */
    private static void followUp(ConsumerRecord<String, byte[]> record, Envelope envelope,
                                    List<RecipientResult> results, RecipientResult.Status status, String topic,
                                    List<ProducerRecord<String, byte[]>> followUps) {
        List<MailAddress> recipients = new ArrayList<>();
        String reason = "";
        for (RecipientResult r : results) {
            if (r.status() == status) {
                recipients.add(r.recipient());
                reason = r.reason();
            }
        }
        if (!recipients.isEmpty()) {
            followUps.add(QueueRecords.record(topic, envelope.afterAttempt(recipients, reason), record.value()));
        }
    }

    /**
     * Recipients on the mailbox topic that this service does not take: only smtp-ingress and lmtp-delivery disagreeing
     * on {@code virtual_mailbox_domains} puts them there. queue-worker reads the deferred topic and routes them.
     */
    private ProducerRecord<String, byte[]> handOver(ConsumerRecord<String, byte[]> record, Envelope envelope,
                                                    List<MailAddress> ours) {
        List<MailAddress> others = envelope.recipients().stream().filter(r -> !ours.contains(r)).toList();
        String reason = "recipient domain not in virtual_mailbox_domains of lmtp-delivery; handed to queue-worker";
        LOG.warnf("warning: %s: %d recipient(s) on %s outside virtual_mailbox_domains (smtp-ingress configured "
                + "differently?); deferred for queue-worker", record.key(), others.size(), topics.mailboxTopic());
        return QueueRecords.record(topics.deferredTopic(), envelope.afterAttempt(others, reason), record.value());
    }
}

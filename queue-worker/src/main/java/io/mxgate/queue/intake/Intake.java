package io.mxgate.queue.intake;

import io.mxgate.core.address.MailAddress;
import io.mxgate.core.dsn.RecipientStatus;
import io.mxgate.core.dsn.RecipientStatusCodec;
import io.mxgate.core.envelope.Envelope;
import io.mxgate.core.envelope.EnvelopeCodec;
import io.mxgate.core.kafka.QueueRecords;
import io.mxgate.core.smtp.EnhancedStatus;
import io.mxgate.queue.QueueWorkerConfig;
import io.mxgate.queue.bounce.Notifier;
import io.mxgate.queue.kafka.Kafka;
import io.mxgate.queue.routing.Routing;
import io.mxgate.queue.schedule.QueueManager;
import io.mxgate.queue.store.QueueEntry;
import io.mxgate.queue.store.QueueStore;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where mail enters queue-worker (Postfix's qmgr taking new mail, and bounce(8) taking failure reports). One
 * consumer in group {@code mxgate.kafka.group-id} reads three topics:
 * <ul>
 *   <li>incoming: the recipients outside {@code virtual_mailbox_domains} (lmtp-delivery takes those), rewritten by
 *       {@code virtual_alias_maps}, become a queue entry that is due now and points at the record. Mail for
 *       mailboxes only is on the mailbox topic, which this consumer does not read (ADR 0007);</li>
 *   <li>deferred (lmtp-delivery's temporary failures): a queue entry due after the backoff;</li>
 *   <li>bounce (lmtp-delivery's permanent failures): a DSN, queued on the incoming topic.</li>
 * </ul>
 * Offsets are committed only after every record of the poll is recorded (entry in Redis, DSN acknowledged by Kafka,
 * unreadable record copied to the corrupt topic). Indexing is idempotent by topic:partition:offset, so reading a
 * record again after a crash or a commit refused in a rebalance queues nothing twice. When Redis or Kafka fails, the
 * consumer seeks back and tries again after a pause: the mail waits in Kafka. Before offsets are committed the
 * index notes how far it holds each partition, which lets {@link Reindex} find an index older than the topics. {@link IntakeLoop} polls and commits.
 */
@ApplicationScoped
public class Intake {

    private static final Logger LOG = Logger.getLogger("qmgr");
    private static final Pattern SAID_STATUS = Pattern.compile(" said: \\d{3} ([245]\\.\\d{1,3}\\.\\d{1,3}) ");
    private static final Pattern SAID_HOST = Pattern.compile("^host ([^\\[ ]+)\\[[^]]*] said: (.*) \\(in reply to ");

    private final QueueWorkerConfig config;
    private final Routing routing;
    private final QueueStore store;
    private final QueueManager qmgr;
    private final Notifier notifier;
    private final Kafka kafka;
    private final Clock clock = Clock.systemUTC();
    private volatile IntakeLoop loop;

    Intake(QueueWorkerConfig config, Routing routing, QueueStore store, QueueManager qmgr, Notifier notifier,
           Kafka kafka) {
        this.config = config;
        this.routing = routing;
        this.store = store;
        this.qmgr = qmgr;
        this.notifier = notifier;
        this.kafka = kafka;
    }

    void start(@Observes @Priority(30) StartupEvent event) {
        QueueWorkerConfig.Kafka k = config.kafka();
        loop = new IntakeLoop(() -> kafka.consumer(k.groupId(), Map.of("max.poll.records", "200")),
                List.of(k.incomingTopic(), k.deferredTopic(), k.bounceTopic()), this::record, this::applied,
                qmgr::wake, Duration.ofSeconds(1), Duration.ofSeconds(30));
        loop.start();
    }

    void stop(@Observes @Priority(1) ShutdownEvent event) throws InterruptedException {
        if (loop != null) {
            loop.stop(Duration.ofSeconds(30));
        }
    }

    /** Why the last poll could not be recorded or the loop had to start again, or null. */
    public String problem() {
        return loop == null ? null : loop.problem();
    }

    /** False when the intake loop has died or cannot start again: a restart is due. */
    public boolean alive() {
        return loop == null || loop.alive();
    }

    /** Notes in the index how far the intake has indexed, before the offsets are committed (ADR 0010). */
    private void applied(Map<TopicPartition, OffsetAndMetadata> positions) {
        Map<String, Long> noted = new HashMap<>();
        positions.forEach((tp, o) -> noted.put(partition(tp), o.offset()));
        store.applied(noted);
    }

    /** A partition as the index names it: {@code topic:partition}. */
    static String partition(TopicPartition tp) {
        return tp.topic() + ":" + tp.partition();
    }

    /** One record; true when it queued something for delivery now. Throws when it could not be recorded. */
    private boolean record(ConsumerRecord<String, byte[]> r) throws Exception {
        QueueWorkerConfig.Kafka k = config.kafka();
        boolean incoming = r.topic().equals(k.incomingTopic());
        Envelope envelope;
        try {
            envelope = QueueRecords.envelope(r);
        } catch (EnvelopeCodec.MalformedEnvelopeException e) {
            if (!incoming) {  // lmtp-delivery already copies unreadable incoming records to the corrupt topic
                LOG.warnf("warning: %s: corrupt queue record on %s (%s); moved to %s", r.key(), r.topic(),
                        e.getMessage(), k.corruptTopic());
                kafka.sendAll(List.of(new ProducerRecord<>(k.corruptTopic(), null, r.key(), r.value(), r.headers())));
            }
            return false;
        }
        if (incoming) {
            return incoming(r, envelope);
        }
        boolean deferredTopic = r.topic().equals(k.deferredTopic());
        List<RecipientStatus> statuses = statuses(r, envelope, !deferredTopic);
        if (deferredTopic) {
            Instant now = clock.instant();
            Instant due = qmgr.schedule().nextAttempt(envelope.arrival(), now);
            store.add(entry(r, envelope, statuses, due), now);
            return false;
        }
        String id = QueueEntry.id(r.topic(), r.partition(), r.offset());
        if (!store.handled(id)) {
            // a crash between the DSN and the mark sends the DSN twice, never zero times
            notifier.failure(envelope, statuses, r.value());
            store.markHandled(id);
        }
        return false;
    }

    private boolean incoming(ConsumerRecord<String, byte[]> r, Envelope envelope) throws Exception {
        List<RecipientStatus> statuses = ours(envelope, routing);
        if (statuses.isEmpty()) {
            return false;
        }
        Instant now = clock.instant();
        QueueEntry entry = entry(r, envelope, statuses, now);
        boolean added = store.add(entry, now);
        if (added) {
            qmgr.offer(entry.id(), r);
        }
        return added;
    }

    /**
     * queue-worker's recipients of an incoming record. smtp-ingress expanded the aliases (as cleanup does), so these
     * are targets: ours are those lmtp-delivery does not take.
     */
    static List<RecipientStatus> ours(Envelope envelope, Routing routing) throws Exception {
        // smtp-ingress expanded the aliases (as cleanup does) and chose the consumer of each target; a record
        // written before it did is split by this service's own tables
        List<RecipientStatus> statuses = new ArrayList<>();
        for (MailAddress a : envelope.recipients()) {
            Envelope.Agent agent = envelope.agent(a).orElse(null);
            if (agent == null ? !routing.isVirtualMailbox(a) : agent == Envelope.Agent.QMGR) {
                statuses.add(RecipientStatus.of(a, envelope.original(a), EnhancedStatus.of(4, 0, 0), ""));
            }
        }
        return statuses;
    }

    static QueueEntry entry(ConsumerRecord<String, byte[]> r, Envelope envelope,
                                    List<RecipientStatus> statuses, Instant due) {
        return new QueueEntry(QueueEntry.id(r.topic(), r.partition(), r.offset()), envelope.queueId(), r.topic(),
                r.partition(), r.offset(), r.value() == null ? 0 : r.value().length, envelope.arrival(),
                envelope.sender(), envelope.attempts(), "deferred", due, statuses, "");
    }

    /**
     * Per-recipient status from the record: queue-worker's header when present, else the envelope's one reason for
     * every recipient (lmtp-delivery's records), with the status and server read back from Postfix's wording.
     */
    static List<RecipientStatus> statuses(ConsumerRecord<String, byte[]> r, Envelope envelope, boolean bounce) {
        Header h = r.headers().lastHeader(RecipientStatusCodec.HEADER);
        if (h != null) {
            try {
                return RecipientStatusCodec.decode(h.value());
            } catch (IllegalArgumentException e) {
                // fall back to the envelope
            }
        }
        String reason = envelope.reason();
        Matcher m = SAID_STATUS.matcher(reason);
        EnhancedStatus dsn = m.find() ? EnhancedStatus.parse(m.group(1)) : null;
        if (dsn == null) {
            dsn = bounce ? EnhancedStatus.of(5, 0, 0) : EnhancedStatus.of(4, 0, 0);
        }
        Matcher host = SAID_HOST.matcher(reason);
        String remote = host.find() ? host.group(1) : "";
        String diagnostic = remote.isEmpty() ? "" : host.group(2);
        List<RecipientStatus> out = new ArrayList<>();
        for (MailAddress a : envelope.recipients()) {
            out.add(new RecipientStatus(a, envelope.original(a), dsn, reason, remote, diagnostic));
        }
        return out;
    }
}

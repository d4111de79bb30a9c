package io.mxgate.queue.bounce;

import io.mxgate.core.address.MailAddress;
import io.mxgate.core.dsn.DsnMessage;
import io.mxgate.core.dsn.RecipientStatus;
import io.mxgate.core.envelope.Envelope;
import io.mxgate.core.envelope.QueueId;
import io.mxgate.core.kafka.QueueRecords;
import io.mxgate.queue.QueueWorkerConfig;
import io.mxgate.queue.RetrySchedule;
import io.mxgate.queue.kafka.Kafka;
import io.mxgate.queue.routing.Routing;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Postfix's bounce(8): writes a DSN and queues it as a new message from the null sender on the incoming topic,
 * where it is routed like any mail (lmtp-delivery when the sender is a local mailbox, queue-worker otherwise).
 * Never a DSN to the null sender: a bounce that cannot be delivered is reported to
 * {@code 2bounce_notice_recipient} from {@code double_bounce_sender} when {@code notify_classes} has
 * {@code 2bounce}, and mail from {@code double_bounce_sender} is never reported at all, so nothing loops.
 */
@ApplicationScoped
public class Notifier {

    private static final Logger LOG = Logger.getLogger("bounce");

    private final QueueWorkerConfig config;
    private final Kafka kafka;
    private final Routing routing;
    private final RetrySchedule schedule;
    private final Clock clock = Clock.systemUTC();
    private final QueueId queueIds = new QueueId(clock);
    private final MailAddress doubleBounce;
    private final boolean notifyDoubleBounce;

    Notifier(QueueWorkerConfig config, Kafka kafka, Routing routing) {
        this.config = config;
        this.kafka = kafka;
        this.routing = routing;
        this.schedule = RetrySchedule.of(config);
        this.doubleBounce = MailAddress.qualified(config.doubleBounceSender(), config.myhostname());
        this.notifyDoubleBounce = List.of(config.notifyClasses().toLowerCase(Locale.ROOT).split("[,\\s]+"))
                .contains("2bounce");
    }

    /**
     * Reports recipients that failed for good. Returns the DSN's queue id, or null when none is due (null sender,
     * double-bounce sender). Throws when Kafka did not take the DSN (the caller keeps the recipients queued).
     */
    public String failure(Envelope original, List<RecipientStatus> failed, byte[] message)
            throws Exception {
        MailAddress sender = original.sender();
        if (sender.equals(doubleBounce)) {
            LOG.infof("%s: undeliverable mail from %s discarded", original.queueId(), doubleBounce);
            return null;
        }
        if (sender.isNullSender()) {
            if (!notifyDoubleBounce) {
                LOG.infof("%s: undeliverable bounce discarded (no 2bounce in notify_classes)", original.queueId());
                return null;
            }
            MailAddress postmaster = MailAddress.qualified(config.twoBounceNoticeRecipient(), config.myhostname());
            String id = queue(DsnMessage.Kind.FAILURE, original, failed, message, postmaster, doubleBounce,
                    "Postmaster Copy: Undelivered Mail");
            LOG.infof("%s: postmaster non-delivery notification: %s", original.queueId(), id);
            return id;
        }
        String id = queue(DsnMessage.Kind.FAILURE, original, failed, message, sender,
                MailAddress.NULL_SENDER, null);
        LOG.infof("%s: sender non-delivery notification: %s", original.queueId(), id);
        return id;
    }

    /** The delay warning; null when none is sent (null or double-bounce sender). */
    public String delay(Envelope original, List<RecipientStatus> delayed, byte[] message)
            throws Exception {
        MailAddress sender = original.sender();
        if (sender.isNullSender() || sender.equals(doubleBounce)) {
            return null;
        }
        String id = queue(DsnMessage.Kind.DELAY, original, delayed, message, sender,
                MailAddress.NULL_SENDER, null);
        LOG.infof("%s: sender delay notification: %s", original.queueId(), id);
        return id;
    }

    private String queue(DsnMessage.Kind kind, Envelope original, List<RecipientStatus> recipients, byte[] message,
                         MailAddress to, MailAddress envelopeSender, String subject)
            throws Exception {
        Instant now = clock.instant();
        String id = queueIds.next();
        boolean nullSender = original.sender().isNullSender();
        byte[] dsn = DsnMessage.build(new DsnMessage.Input(kind, config.myhostname(), original.queueId(),
                original.sender(), to, subject, original.arrival(), now, id,
                schedule.retryUntil(original.arrival(), nullSender), schedule.delayWarningTime(),
                schedule.lifetime(nullSender), recipients, message));
        // bounce(8) hands its notice to cleanup, so the sender's aliases apply to it as to any mail
        List<MailAddress> targets = routing.expand(to);
        Map<MailAddress, MailAddress> originals = new HashMap<>();
        Map<MailAddress, Envelope.Agent> agents = new HashMap<>();
        for (MailAddress t : targets) {
            originals.put(t, to);
            agents.put(t, routing.isVirtualMailbox(t) ? Envelope.Agent.LMTP : Envelope.Agent.QMGR);
        }
        Envelope envelope = new Envelope(id, now, envelopeSender, targets,
                new Envelope.Client("localhost", "127.0.0.1", config.myhostname(), "bounce"), 0, "", originals, agents);
        kafka.sendAll(List.of(QueueRecords.record(config.kafka().incomingTopic(), envelope, dsn)));
        return id;
    }
}

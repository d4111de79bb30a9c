package io.mxgate.queue.store;

import io.mxgate.core.dsn.RecipientStatus;
import io.mxgate.queue.QueueWorkerConfig;
import io.mxgate.queue.kafka.Kafka;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Writes {@link QueueMark}s to the queue state topic ({@code mxgate.kafka.queue-state-topic}) and waits for Kafka's
 * acks: the durable half of "this recipient is finished" (ADR 0010). Blocks; call it from a worker thread.
 */
@ApplicationScoped
public class StateLog {

    private final QueueWorkerConfig config;
    private final Kafka kafka;

    StateLog(QueueWorkerConfig config, Kafka kafka) {
        this.config = config;
        this.kafka = kafka;
    }

    /** Records what is left of an entry after an attempt (nothing: finished). Throws when Kafka did not ack. */
    public void mark(QueueEntry e, List<RecipientStatus> remaining, int attempts) throws Exception {
        kafka.sendAll(List.of(new QueueMark(e.id(), e.queueId(), attempts, remaining)
                .record(config.kafka().queueStateTopic())));
    }

    /** Records that entries are finished (postsuper -d). Throws when Kafka did not ack. */
    public void done(String queueId, Collection<String> entryIds) throws Exception {
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        for (String id : entryIds) {
            records.add(new QueueMark(id, queueId, 0, List.of()).record(config.kafka().queueStateTopic()));
        }
        kafka.sendAll(records);
    }
}

package io.mxgate.queue;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * The queue-worker's place in the walking skeleton: it starts and reports health. Issue 6 gives it its work,
 * Postfix's qmgr, trivial-rewrite, smtp and bounce: transport_maps routing and SMTP relay, the retry schedule of
 * the deferred topic (minimal_backoff_time .. maximal_backoff_time, maximal_queue_lifetime) and RFC 3464 DSNs for
 * the bounce topic. Until then deferred and bounced recipients wait, durably, in their Kafka topics.
 */
@ApplicationScoped
public class QueueWorkerService {

    private static final Logger LOG = Logger.getLogger("qmgr");

    void start(@Observes StartupEvent event) {
        LOG.info("daemon started -- deferred and bounced mail waits in Kafka until retries and DSNs land");
    }
}

package io.mxgate.verify;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * The verifier's place in the walking skeleton: it starts and reports health. Issue 4 gives it its work, Postfix's
 * verify(8): answer "may this recipient be accepted?" from a Redis cache shared by all replicas, and probe the
 * recipient's next hop (MAIL, RCPT, RSET; never DATA) on a miss.
 */
@ApplicationScoped
public class VerifierService {

    private static final Logger LOG = Logger.getLogger("verify");

    void start(@Observes StartupEvent event) {
        LOG.info("daemon started -- recipient verification (address_verify) is not enabled yet; "
                + "smtp-ingress accepts by domain class and reject_unauth_destination only");
    }
}

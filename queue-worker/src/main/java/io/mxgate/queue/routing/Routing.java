package io.mxgate.queue.routing;

import io.mxgate.core.address.MailAddress;
import io.mxgate.core.routing.RecipientResolver;
import io.mxgate.core.routing.ResolverRuntime;
import io.mxgate.queue.QueueWorkerConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Duration;

/**
 * trivial-rewrite for queue-worker: core's {@link RecipientResolver} over this service's tables, which follow their
 * files (a ConfigMap update or an edited file takes effect without a restart).
 */
@ApplicationScoped
public class Routing {

    private static final Logger LOG = Logger.getLogger("trivial-rewrite");
    /** How long a consumer thread waits for a table before it holds its record and tries again. */
    private static final Duration LOOKUP_WAIT = Duration.ofSeconds(30);

    private final QueueWorkerConfig config;
    private final Vertx vertx;
    private ResolverRuntime runtime;

    Routing(QueueWorkerConfig config, Vertx vertx) {
        this.config = config;
        this.vertx = vertx;
    }

    void start(@Observes @Priority(5) StartupEvent event) {
        runtime = new ResolverRuntime(vertx, config.resolution(), config.sql().options(), LOG::warn);
    }

    void stop(@Observes ShutdownEvent event) {
        runtime.close();
    }

    public RecipientResolver resolver() {
        return runtime.resolver();
    }

    /** This service's tables, for other parameters that name tables ({@code smtp_tls_policy_maps}). */
    public io.mxgate.core.table.LookupTables tables() {
        return runtime.tables();
    }

    /** True for recipients lmtp-delivery takes from the incoming topic itself; throws when a table cannot tell. */
    public boolean isVirtualMailbox(MailAddress recipient) throws Exception {
        return ResolverRuntime.await(runtime.resolver().isVirtualMailbox(recipient), LOOKUP_WAIT);
    }

    /** {@code virtual_alias_maps} for an address queue-worker itself sends to (a DSN's recipient), on its own thread. */
    public java.util.List<MailAddress> expand(MailAddress recipient) throws Exception {
        var expansion = ResolverRuntime.await(runtime.resolver().expand(recipient), LOOKUP_WAIT);
        if (expansion instanceof io.mxgate.core.routing.VirtualAliasMaps.Expansion.Addresses a) {
            return a.addresses();
        }
        throw new IllegalStateException(((io.mxgate.core.routing.VirtualAliasMaps.Expansion.Failure) expansion).text());
    }
}

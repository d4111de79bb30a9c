package io.mxgate.ingress.server;

import io.mxgate.core.domain.DomainClasses;
import io.mxgate.core.envelope.QueueId;
import io.mxgate.core.table.DomainList;
import io.mxgate.ingress.IngressConfig;
import io.mxgate.ingress.policy.RecipientRestrictions;
import io.mxgate.ingress.policy.RelayPolicy;
import io.mxgate.ingress.queue.IncomingQueue;
import io.mxgate.ingress.session.SessionLimits;
import io.mxgate.ingress.session.SmtpSession;
import io.mxgate.ingress.verify.VerifierClient;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServerOptions;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;

/**
 * Starts the SMTP listener: one server verticle per event loop, all bound to the same port (Vert.x spreads the
 * connections), after the domain lists loaded cleanly. A bad list stops the start with a message naming it.
 */
@ApplicationScoped
public class SmtpServer {

    private static final Logger LOG = Logger.getLogger("master");

    private final IngressConfig config;
    private final IncomingQueue queue;
    private final Vertx vertx;
    private final VerifierClient verifier;
    private String deploymentId;

    SmtpServer(IngressConfig config, IncomingQueue queue, Vertx vertx, VerifierClient verifier) {
        this.config = config;
        this.queue = queue;
        this.vertx = vertx;
        this.verifier = verifier;
    }

    void start(@Observes @Priority(20) StartupEvent event) {
        DomainClasses domains = new DomainClasses(
                DomainList.parse(config.relayDomains().orElse("")),
                DomainList.parse(config.virtualMailboxDomains()),
                DomainList.parse(config.virtualAliasDomains().orElse("")));
        RelayPolicy relayPolicy = new RelayPolicy(domains);
        RecipientRestrictions restrictions = new RecipientRestrictions(config, verifier);
        SessionLimits limits = SessionLimits.from(config);
        QueueId queueIds = new QueueId(Clock.systemUTC());
        NetServerOptions options = new NetServerOptions()
                .setHost(config.inetInterfaces())
                .setPort(config.smtpdPort())
                .setTcpNoDelay(true);
        int instances = Math.max(1, Runtime.getRuntime().availableProcessors());
        deploymentId = vertx.deployVerticle(() -> new AbstractVerticle() {
                    @Override
                    public void start(Promise<Void> started) {
                        vertx.createNetServer(options)
                                .connectHandler(socket -> new SmtpSession(vertx, socket, limits, relayPolicy, restrictions, queue,
                                        queueIds, Clock.systemUTC()).start())
                                .listen()
                                .<Void>mapEmpty()
                                .onComplete(started);
                    }
                }, new DeploymentOptions().setInstances(instances))
                .toCompletionStage().toCompletableFuture().join();
        LOG.infof("daemon started -- smtpd listening on %s:%d, %d event loops", config.inetInterfaces(),
                config.smtpdPort(), instances);
    }

    void stop(@Observes @Priority(1) ShutdownEvent event) {
        if (deploymentId != null) {
            vertx.undeploy(deploymentId).toCompletionStage().toCompletableFuture()
                    .orTimeout(Duration.ofSeconds(10).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
                    .exceptionally(e -> null).join();
        }
    }
}

package io.mxgate.ingress.health;

import io.mxgate.ingress.server.SmtpServer;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/** The SMTP listener's health: live while every event loop keeps running; not ready while draining. */
@ApplicationScoped
public class SmtpdHealth {

    private final SmtpServer server;

    SmtpdHealth(SmtpServer server) {
        this.server = server;
    }

    @Liveness
    HealthCheck eventLoops() {
        return () -> HealthCheckResponse.named("event-loops").status(server.eventLoopsAlive()).build();
    }

    @Readiness
    HealthCheck accepting() {
        return () -> HealthCheckResponse.named("smtpd").status(!server.draining())
                .withData("draining", server.draining()).build();
    }
}

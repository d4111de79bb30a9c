package io.mxgate.ingress.health;

import io.mxgate.ingress.queue.IncomingQueue;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Without Kafka the ingress can only answer 451, so it is not ready; it stays live (no restart loop). */
@Readiness
@ApplicationScoped
public class KafkaReadiness implements HealthCheck {

    private final IncomingQueue queue;

    KafkaReadiness(IncomingQueue queue) {
        this.queue = queue;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("kafka").status(queue.reachable()).build();
    }
}

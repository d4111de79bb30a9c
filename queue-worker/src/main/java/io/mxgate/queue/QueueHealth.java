package io.mxgate.queue;

import io.mxgate.queue.intake.Intake;
import io.mxgate.queue.kafka.Kafka;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready when Kafka answers (Redis has Quarkus' own readiness check). Why the intake is held back, if it is, is
 * reported as data: an outage makes mail wait in Kafka, it must not restart the service.
 */
@Readiness
@ApplicationScoped
public class QueueHealth implements HealthCheck {

    private final Kafka kafka;
    private final Intake intake;

    QueueHealth(Kafka kafka, Intake intake) {
        this.kafka = kafka;
        this.intake = intake;
    }

    @Override
    public HealthCheckResponse call() {
        String problem = intake.problem();
        return HealthCheckResponse.named("kafka").status(kafka.reachable())
                .withData("intake", problem == null ? "ok" : problem).build();
    }
}

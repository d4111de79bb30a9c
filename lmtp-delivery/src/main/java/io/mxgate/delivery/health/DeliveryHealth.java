package io.mxgate.delivery.health;

import io.mxgate.delivery.consumer.DeliveryConsumer;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready when Kafka answers. The LMTP backend's state is reported as data only: a Dovecot outage must leave mail
 * waiting in Kafka, not put this service into a restart loop.
 */
@Readiness
@ApplicationScoped
public class DeliveryHealth implements HealthCheck {

    private final DeliveryConsumer consumer;

    DeliveryHealth(DeliveryConsumer consumer) {
        this.consumer = consumer;
    }

    @Override
    public HealthCheckResponse call() {
        String problem = consumer.backendProblem();
        return HealthCheckResponse.named("kafka")
                .status(consumer.kafkaReachable())
                .withData("lmtp-backend", problem == null ? "reachable" : problem)
                .build();
    }
}

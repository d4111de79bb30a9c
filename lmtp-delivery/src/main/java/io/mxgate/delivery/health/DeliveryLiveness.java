package io.mxgate.delivery.health;

import io.mxgate.delivery.consumer.DeliveryConsumer;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/** Live while the delivery loop runs; a loop that died of a bug needs a restart, not a silent stall. */
@Liveness
@ApplicationScoped
public class DeliveryLiveness implements HealthCheck {

    private final DeliveryConsumer consumer;

    DeliveryLiveness(DeliveryConsumer consumer) {
        this.consumer = consumer;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("delivery-loop").status(consumer.loopAlive()).build();
    }
}

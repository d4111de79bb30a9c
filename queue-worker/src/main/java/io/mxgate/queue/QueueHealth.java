package io.mxgate.queue;

import io.mxgate.queue.intake.Intake;
import io.mxgate.queue.kafka.Kafka;
import io.mxgate.queue.schedule.QueueManager;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready when Kafka answers (Redis has Quarkus' own readiness check). Why the intake is held back, if it is, is
 * reported as data: an outage makes mail wait in Kafka, it must not restart the service. Live while the intake loop
 * and the queue manager's loop run: a loop that died, or cannot start again, leaves mail in Kafka or in the queue
 * index until the process is restarted.
 */
@ApplicationScoped
public class QueueHealth {

    private final Kafka kafka;
    private final Intake intake;
    private final QueueManager qmgr;

    QueueHealth(Kafka kafka, Intake intake, QueueManager qmgr) {
        this.kafka = kafka;
        this.intake = intake;
        this.qmgr = qmgr;
    }

    @Readiness
    HealthCheck kafka() {
        return () -> {
            String problem = intake.problem();
            return HealthCheckResponse.named("kafka").status(kafka.reachable())
                    .withData("intake", problem == null ? "ok" : problem).build();
        };
    }

    @Liveness
    HealthCheck loops() {
        return () -> {
            boolean intakeAlive = intake.alive();
            boolean qmgrAlive = qmgr.loopAlive();
            return HealthCheckResponse.named("queue-loops").status(intakeAlive && qmgrAlive)
                    .withData("intake", intakeAlive ? "running" : "dead")
                    .withData("qmgr", qmgrAlive ? "running" : "dead").build();
        };
    }
}

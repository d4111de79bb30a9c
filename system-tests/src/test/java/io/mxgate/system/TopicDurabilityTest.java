package io.mxgate.system;

import io.mxgate.testkit.Ports;
import io.mxgate.testkit.Stack;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * acks=all means "on min.insync.replicas brokers" only if the topics say so: the topics a service creates carry
 * {@code min.insync.replicas} and {@code unclean.leader.election.enable=false} themselves (not the broker's defaults),
 * and a service refuses to start on an existing topic weaker than its settings.
 */
@ExtendWith(StackExtension.class)
class TopicDurabilityTest {

    private static final List<String> TOPIC_KEYS = List.of("INCOMING", "MAILBOX", "DEFERRED", "BOUNCE", "CORRUPT");

    private final Stack stack;

    TopicDurabilityTest(Stack stack) {
        this.stack = stack;
    }

    private Admin admin() {
        return Admin.create(Map.of("bootstrap.servers", stack.setting("MXGATE_KAFKA_BOOTSTRAP_SERVERS")));
    }

    @Test
    void createdTopicsCarryTheirOwnMinInsyncAndNoUncleanElection() throws Exception {
        List<ConfigResource> topics = List.of("mxgate.incoming", "mxgate.mailbox", "mxgate.deferred", "mxgate.bounce",
                "mxgate.corrupt").stream().map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList();
        Map<ConfigResource, Config> configs;
        try (Admin admin = admin()) {
            configs = admin.describeConfigs(topics).all().get(10, TimeUnit.SECONDS);
        }
        for (ConfigResource topic : topics) {
            ConfigEntry minIsr = configs.get(topic).get("min.insync.replicas");
            ConfigEntry unclean = configs.get(topic).get("unclean.leader.election.enable");
            assertEquals(List.of(stack.setting("MXGATE_KAFKA_MIN_INSYNC_REPLICAS"),
                    ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG), List.of(minIsr.value(), minIsr.source()),
                    topic.name());
            assertEquals(List.of("false", ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG),
                    List.of(unclean.value(), unclean.source()), topic.name());
        }
    }

    /**
     * Each service against topics made beforehand (replication factor 1 on the one broker): settings asking for more
     * copies than the topics have, or a topic that allows unclean leader election, stop the start. The check is
     * core's (KafkaClients) and its cases are DurabilityTest's; here each service once, each kind of shortfall.
     */
    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
            "smtp-ingress  | fewer copies | 2 | 2 | false",
            "queue-worker  | unclean      | 1 | 1 | true",
            "lmtp-delivery | fewer copies | 2 | 2 | false",
    })
    void serviceRefusesToStartOnWeakerTopics(String service, String label, int rf, int minIsr, boolean unclean)
            throws Exception {
        String shortfall = unclean ? "unclean.leader.election.enable=true"
                : "replication factor 1 < mxgate.kafka.replication-factor " + rf
                        + ", min.insync.replicas 1 < mxgate.kafka.min-insync-replicas " + minIsr;
        String prefix = "weak-" + service + "-" + rf + "-" + unclean;
        Map<String, String> env = new LinkedHashMap<>();
        List<NewTopic> topics = new ArrayList<>();
        for (String key : TOPIC_KEYS) {
            String name = prefix + "." + key.toLowerCase();
            env.put("MXGATE_KAFKA_" + key + "_TOPIC", name);
            topics.add(new NewTopic(name, 1, (short) 1).configs(Map.of(
                    "min.insync.replicas", "1", "unclean.leader.election.enable", Boolean.toString(unclean))));
        }
        try (Admin admin = admin()) {
            admin.createTopics(topics).all().get(10, TimeUnit.SECONDS);
        }
        env.put("MXGATE_KAFKA_REPLICATION_FACTOR", Integer.toString(rf));
        env.put("MXGATE_KAFKA_MIN_INSYNC_REPLICAS", Integer.toString(minIsr));
        env.put("MXGATE_KAFKA_GROUP_ID", prefix);
        env.put("MXGATE_SMTPD_PORT", Integer.toString(Ports.free()));
        env.put("MXGATE_SMTPD_PROXY_PORT", Integer.toString(Ports.free()));

        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> stack.startReplica(service, prefix, env));
        assertTrue(e.getMessage().contains("did not become ready"), e.getMessage());
        String log = stack.log(new Stack.Replica(service, prefix, 0));
        String[] relevant = service.equals("smtp-ingress") ? new String[] {"incoming", "mailbox"}
                : service.equals("queue-worker") ? new String[] {"incoming", "deferred", "bounce", "corrupt"}
                : new String[] {"incoming", "mailbox", "deferred", "bounce", "corrupt"};
        String line = log.lines().filter(l -> l.contains("fatal: Kafka topics weaker than configured")).findFirst()
                .orElseThrow(() -> new AssertionError("no refusal line in the log:\n" + log));
        for (String topic : relevant) {
            assertTrue(line.contains(prefix + "." + topic + " (" + shortfall + ")"), line);
        }
        assertTrue(line.endsWith("refusing to start"), line);
    }
}

package io.mxgate.system;

import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.mxgate.importer.Importer;
import io.mxgate.importer.table.TableImporter;
import io.mxgate.testkit.DnsServer;
import io.mxgate.testkit.Ports;
import io.mxgate.testkit.SmtpDialogue;
import io.mxgate.testkit.SqlServer;
import io.mxgate.testkit.Stack;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code ./mxgate import-postfix} end to end, the acceptance: the seed admin's /etc/postfix (main.cf,
 * master.cf, the tables and Postfixadmin's six .cf files, import-postfix's test resources) with only the .cf files'
 * {@code hosts} and {@code password} pointed at this test's MariaDB; imported by {@link Importer}; rendered by
 * helm/mxgate (Helm itself, as {@link HelmChartTest}); and the services started with what the chart gives each pod:
 * its container's env, and the files of the volumes it mounts (the tables ConfigMap, the SQL .cf files and the
 * password from the Secret this test creates) written below a directory that stands for the pod's root, every
 * mount path in env values and mounted files mapped there.
 *
 * <p>What only makes sense in a cluster is replaced by the test stack's own, and nothing else: {@link #CLUSTER_ONLY}
 * (listen addresses and ports, Kafka, Redis, the verifier's Service, the LMTP next hop {@code lmtp:[10.0.0.77]:24})
 * is dropped from the rendered env so that the stack's values apply, and the recipient list's quota-status server
 * {@code inet:10.0.0.77:10000} becomes the stack's Dovecot's. Added: {@link #testOnly()}. The /tmp emptyDir is the
 * machine's /tmp, and the stack keeps its own TLS certificate (the chart mounts none without tls.existingSecret).
 *
 * <p>Then a stranger (127.0.0.1, outside mynetworks, no AUTH) sends to Postfixadmin aliases and the mail is found in
 * the targets' Maildirs; and the seed's restriction lists, {@code unverified_recipient_reject_code = 577} and
 * {@code permit_mx_backup_networks} as imported answer RCPT as the same lines written by hand do (a second
 * smtp-ingress of the same stack).
 */
class ImportPostfixEndToEndTest {

    static final Path SEED = HelmChartTest.ROOT.resolve("import-postfix/src/test/resources/seed");

    /** Rendered env the cluster needs and the test stack replaces with its own (by dropping it): name -> why. */
    static final Map<String, String> CLUSTER_ONLY = Map.of(
            "QUARKUS_HTTP_HOST", "0.0.0.0 in a pod; the stack's services listen on 127.0.0.1",
            "QUARKUS_HTTP_PORT", "8080 in every pod; the stack gives each service a free port",
            "MXGATE_INET_INTERFACES", "0.0.0.0 in a pod; 127.0.0.1 on a shared machine",
            "MXGATE_SMTPD_PORT", "the container port (25); a free port",
            "MXGATE_KAFKA_BOOTSTRAP_SERVERS", "the cluster's Kafka; the stack's broker",
            "MXGATE_KAFKA_REPLICATION_FACTOR", "3 for a cluster's brokers; the stack has one",
            "MXGATE_KAFKA_MIN_INSYNC_REPLICAS", "2 for a cluster's brokers; the stack has one",
            "MXGATE_REDIS_URL", "the cluster's Redis; the stack's",
            "MXGATE_VERIFIER_URL", "the verifier's Service name; the stack's verifier",
            "MXGATE_VIRTUAL_TRANSPORT", "lmtp:[10.0.0.77]:24, the seed's Dovecot; the stack's Dovecot");

    /** The seed's quota-status policy server on its Dovecot host, and the stack's Dovecot's in its place. */
    static final String SEED_POLICY_SERVER = "inet:10.0.0.77:10000";
    static final String STACK_POLICY_SERVER = "inet:127.0.0.1:{quota-status-port}";

    /** DNS: the seed's RBLs know nobody here; backup.test's better MX is in permit_mx_backup_networks, then us. */
    static final List<String> DNS = List.of(
            "mx-host=backup.test,mx1.primary.test,10", "host-record=mx1.primary.test,88.217.171.167",
            "mx-host=backup.test,mx2.ours.test,20", "host-record=mx2.ours.test,127.0.0.1");

    /** Where the chart mounts what it gives the services. */
    static final java.util.regex.Pattern CHART_PATH = java.util.regex.Pattern.compile("/etc/mxgate/[^\\s,]+");

    static final String HAND_RELAY_RESTRICTIONS = "permit_sasl_authenticated, permit_mynetworks, reject_unauth_destination";

    static SqlServer db;
    static DnsServer dns;
    static Path work;
    static Stack stack;
    /** What each service was started with from the chart: service -> MXGATE_* env. */
    static Map<String, Map<String, String>> rendered;
    /** The hand-written smtp-ingress's env. */
    static Map<String, String> hand;
    static int handPort;

    @BeforeAll
    static void importRenderAndStart() throws IOException {
        work = Files.createTempDirectory(Path.of("/tmp"), "mxgate-import-e2e-");
        db = SqlServer.start(SqlServer.Kind.MARIADB);
        db.sql(PostfixadminContract.DATA);
        dns = DnsServer.start(work.resolve("dns"), DNS);

        Path etc = seedPointedAt(db, work.resolve("etc-postfix"));
        Importer.Result imported = Importer.run(etc, Importer.DEFAULT_SECRET);
        Path values = work.resolve("values.yaml");
        Files.writeString(values, imported.values().yaml());
        String text = new Helm(HelmChartTest.CHART).template().withName(HelmChartTest.RELEASE)
                .withNamespace(HelmChartTest.NAMESPACE).withValuesFile(values).call();
        List<HasMetadata> objects = HelmChartTest.parse("imported", text);

        // the Secret the importer asks for (kubectl create secret generic mxgate-sql --from-file=password=...)
        assertTrue(imported.notes().stream().anyMatch(n -> n.contains("kubectl create secret generic "
                + Importer.DEFAULT_SECRET + " --from-file=" + TableImporter.PASSWORD_KEY + "=")), imported.notes().toString());
        Map<String, Map<String, String>> secrets = Map.of(Importer.DEFAULT_SECRET,
                Map.of(TableImporter.PASSWORD_KEY, db.password()));

        Map<String, Map<String, String>> env = new TreeMap<>();
        for (Deployment d : kind(objects, Deployment.class)) {
            String service = d.getSpec().getTemplate().getMetadata().getLabels().get("app.kubernetes.io/component");
            env.put(service, pod(d, work.resolve("pods").resolve(service), kind(objects, ConfigMap.class), secrets));
        }
        assertEquals(new TreeSet<>(Stack.SERVICES), env.keySet(), "one Deployment per service");
        rendered = env;
        stack = Stack.start(testOnly(), env);
        hand = handWritten(etc);
        handPort = Integer.parseInt(hand.get("MXGATE_SMTPD_PORT"));
    }

    /** Added for the test, not rendered by the chart: name -> value (reasons beside them). */
    static Map<String, String> testOnly() {
        return Map.of(
                // the seed's RBLs, RHSBL and permit_mx_backup look names up: only this test's DNS server answers
                "MXGATE_DNS_RESOLVER", dns.resolver(),
                // the chart leaves the services' default on; the stack turns it off only to keep DNS on the machine
                "MXGATE_SMTPD_PEERNAME_LOOKUP", "true",
                // the chart offers no AUTH (smtpIngress.sasl.enabled is false); the stack would
                "MXGATE_SMTPD_SASL_AUTH_ENABLE", "false");
    }

    @AfterAll
    static void stop() throws IOException {
        for (AutoCloseable c : new AutoCloseable[] {stack, dns, db}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // close the others too
            }
        }
        if (work != null && !Boolean.getBoolean("mxgate.keep")) {
            try (Stream<Path> walk = Files.walk(work)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    // --- the seed, imported and rendered -----------------------------------------------------------------------

    /** A copy of the seed whose six .cf files reach {@code db} (hosts, password); nothing else changes. */
    static Path seedPointedAt(SqlServer db, Path dir) throws IOException {
        HelmChartTest.copyTree(SEED, dir);
        List<String> pointed = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path cf : (Iterable<Path>) files.filter(f -> f.getFileName().toString().matches("mysql_.*\\.cf")).sorted()::iterator) {
                String text = Files.readString(cf);
                String changed = text.replaceAll("(?m)^hosts\\s*=.*$", "hosts = " + db.host() + ":" + db.port())
                        .replaceAll("(?m)^password\\s*=.*$", "password = " + db.password().replace("\\", "\\\\")
                                .replace("$", "\\$"));
                assertFalse(text.equals(changed), cf.toString());
                Files.writeString(cf, changed);
                pointed.add(cf.getFileName().toString());
            }
        }
        assertEquals(6, pointed.size(), "Postfixadmin's six .cf files: " + pointed);
        return dir;
    }

    /**
     * One pod as the kubelet would make it: the files of every volume its container mounts written below
     * {@code root}, and its env with the cluster-only names dropped, mount paths mapped below {@code root}.
     */
    static Map<String, String> pod(Deployment d, Path root, List<ConfigMap> configMaps,
                                   Map<String, Map<String, String>> secrets) throws IOException {
        Container c = HelmChartTest.container(d);
        Map<String, Path> mounts = new TreeMap<>(Comparator.comparing(String::length).reversed()
                .thenComparing(Comparator.naturalOrder()));
        Map<Path, String> files = new LinkedHashMap<>();
        for (VolumeMount m : c.getVolumeMounts()) {
            Volume v = HelmChartTest.volume(d, m.getName());
            if (v.getEmptyDir() != null) {
                continue;  // /tmp: the machine's
            }
            assertNull(m.getSubPath(), m.getName());
            Path local = root.resolve(m.getMountPath().substring(1));
            mounts.put(m.getMountPath(), local);
            volumeFiles(v, configMaps, secrets).forEach((name, content) -> files.put(local.resolve(name), content));
        }
        for (Map.Entry<Path, String> f : files.entrySet()) {
            Files.createDirectories(f.getKey().getParent());
            Files.writeString(f.getKey(), mapped(f.getValue(), mounts, d), StandardCharsets.UTF_8);
        }
        Map<String, String> env = new TreeMap<>();
        for (EnvVar e : c.getEnv()) {
            assertNull(e.getValueFrom(), e.getName() + ": only literal values expected with these values");
            if (!CLUSTER_ONLY.containsKey(e.getName())) {
                env.put(e.getName(), mapped(e.getValue(), mounts, d));
            }
        }
        String restrictions = env.get("MXGATE_SMTPD_RECIPIENT_RESTRICTIONS");
        if (restrictions != null) {
            assertTrue(restrictions.contains(SEED_POLICY_SERVER), restrictions);
            env.put("MXGATE_SMTPD_RECIPIENT_RESTRICTIONS", restrictions.replace(SEED_POLICY_SERVER, STACK_POLICY_SERVER));
        }
        return env;
    }

    /** A volume's files (path inside the mount -> content), from ConfigMaps and Secrets as the kubelet projects them. */
    static Map<String, String> volumeFiles(Volume v, List<ConfigMap> configMaps, Map<String, Map<String, String>> secrets) {
        Map<String, String> out = new LinkedHashMap<>();
        if (v.getConfigMap() != null) {
            items(configMap(configMaps, v.getConfigMap().getName()).getData(), v.getConfigMap().getItems(), out);
        } else if (v.getProjected() != null) {
            for (VolumeProjection p : v.getProjected().getSources()) {
                if (p.getConfigMap() != null) {
                    items(configMap(configMaps, p.getConfigMap().getName()).getData(), p.getConfigMap().getItems(), out);
                } else if (p.getSecret() != null) {
                    Map<String, String> secret = secrets.get(p.getSecret().getName());
                    assertNotNull(secret, "the pod needs a Secret " + p.getSecret().getName() + " the test did not create");
                    items(secret, p.getSecret().getItems(), out);
                } else {
                    fail("volume " + v.getName() + ": a projection this test does not map: " + p);
                }
            }
        } else {
            fail("volume " + v.getName() + ": a kind of volume this test does not map: " + v);
        }
        return out;
    }

    static <T extends HasMetadata> List<T> kind(List<HasMetadata> objects, Class<T> kind) {
        return objects.stream().filter(kind::isInstance).map(kind::cast).toList();
    }

    private static ConfigMap configMap(List<ConfigMap> configMaps, String name) {
        return configMaps.stream().filter(m -> m.getMetadata().getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("the chart mounts a ConfigMap " + name + " it does not render"));
    }

    private static void items(Map<String, String> data, List<KeyToPath> items, Map<String, String> out) {
        if (items == null || items.isEmpty()) {
            out.putAll(data);
            return;
        }
        for (KeyToPath i : items) {
            String value = data.get(i.getKey());
            assertNotNull(value, "no key " + i.getKey() + " for " + i.getPath());
            out.put(i.getPath(), value);
        }
    }

    /** {@code text} with every mount path replaced by its local directory; a path under /etc/mxgate not mounted fails. */
    static String mapped(String text, Map<String, Path> mounts, Deployment d) {
        java.util.regex.Matcher path = CHART_PATH.matcher(text);
        while (path.find()) {
            String p = path.group();
            assertTrue(mounts.keySet().stream().anyMatch(m -> p.startsWith(m + "/")),
                    d.getMetadata().getName() + ": " + p + " is in no volume the pod mounts");
        }
        String out = text;
        for (Map.Entry<String, Path> m : mounts.entrySet()) {
            out = out.replace(m.getKey() + "/", m.getValue() + "/");
        }
        return out;
    }

    /**
     * The seed's lines written by hand as MXGATE_* settings (tables straight from the seed copy, Postfixadmin's
     * table files as the test kit writes them), in a second smtp-ingress of the stack; returns its env.
     */
    static Map<String, String> handWritten(Path etc) {
        String seed = etc.toString();
        Map<String, String> env = new LinkedHashMap<>();
        env.put("MXGATE_SMTPD_PORT", Integer.toString(Ports.free()));
        env.put("MXGATE_SMTPD_PROXY_PORT", Integer.toString(Ports.free()));
        env.put("MXGATE_MYHOSTNAME", "mx01.nausch.org");
        env.put("MXGATE_RELAY_DOMAINS", "btree:" + seed + "/relay_domains");
        env.put("MXGATE_VIRTUAL_MAILBOX_DOMAINS", db.tableName("virtual_domains_maps"));
        env.put("MXGATE_VIRTUAL_ALIAS_MAPS", String.join(" ", db.tableName("virtual_alias_maps"),
                db.tableName("virtual_alias_domain_maps"), db.tableName("virtual_alias_domain_catchall_maps")));
        env.put("MXGATE_VIRTUAL_MAILBOX_MAPS", db.tableName("virtual_mailbox_maps") + " "
                + db.tableName("virtual_alias_domain_mailbox_maps"));
        env.put("MXGATE_SMTPD_RECIPIENT_RESTRICTIONS", String.join("\n    ",
                "check_recipient_access btree:" + seed + "/access_recipient-rfc",
                "check_client_access cidr:" + seed + "/access_client",
                "check_helo_access btree:" + seed + "/access_helo",
                "check_sender_access btree:" + seed + "/access_sender",
                "check_recipient_access btree:" + seed + "/access_recipient",
                "permit_sasl_authenticated",
                "permit_mynetworks",
                "reject_rbl_client zen.spamhaus.org",
                "reject_rbl_client ix.dnsbl.manitu.net",
                "reject_rbl_client bl.spamcop.net",
                "reject_rhsbl_client multi.uribl.com",
                "reject_unverified_recipient",
                "permit_mx_backup",
                "reject_unauth_destination",
                "check_policy_service inet:127.0.0.1:" + stack.quotaStatusPort(),
                "permit"));
        env.put("MXGATE_PERMIT_MX_BACKUP_NETWORKS", "88.217.171.167/32");
        env.put("MXGATE_SMTPD_RELAY_RESTRICTIONS", HAND_RELAY_RESTRICTIONS);
        env.put("MXGATE_UNVERIFIED_RECIPIENT_REJECT_CODE", "577");
        stack.startReplica("smtp-ingress", "smtp-ingress-hand-written", env);
        return env;
    }

    // --- the tests -------------------------------------------------------------------------------------------

    /** A stranger's mail to an alias inside the mailbox domain and to an address of the alias domain. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"info@example.test, bob", "alice@alias.test, alice"})
    void aStrangersMailToAnAliasIsInTheTargetsMaildir(String recipient, String mailbox) {
        String[] reply = {""};
        assertTrue(Stack.await(Duration.ofSeconds(30), () -> (reply[0] = rcpt(stack.smtpPort(), "client.test",
                "s@remote.test", recipient)).startsWith("250 ")), recipient + ": " + reply[0] + "\n"
                + stack.log("smtp-ingress") + stack.log("verifier"));
        String tag = UUID.randomUUID().toString();
        String queued = SmtpDialogue.sendMail(stack.smtpPort(), "s@remote.test", List.of(recipient),
                "Subject: " + tag + "\r\nMessage-Id: <" + tag + "@client.test>\r\n\r\nhello " + tag + "\r\n");
        assertTrue(SmtpDialogueTest.QUEUED.matcher(queued).matches(), queued);
        assertTrue(Stack.await(Duration.ofSeconds(30), () -> stack.messagesContaining(mailbox, tag).size() == 1),
                recipient + " not in " + mailbox + "'s Maildir\n" + stack.log("queue-worker") + stack.log("lmtp-delivery"));
    }

    /** The lines the table below compares reached smtp-ingress from the chart as written by hand. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"MXGATE_UNVERIFIED_RECIPIENT_REJECT_CODE", "MXGATE_PERMIT_MX_BACKUP_NETWORKS",
            "MXGATE_SMTPD_RELAY_RESTRICTIONS", "MXGATE_MYHOSTNAME"})
    void smtpIngressGotTheSeedsLines(String name) {
        assertEquals(hand.get(name), rendered.get("smtp-ingress").get(name));
    }

    /**
     * RCPT replies of the imported configuration and of the same lines written by hand, from 127.0.0.1: the relay
     * list comes first (so even a domain that lists us as its backup MX is relaying), then the seed's recipient list;
     * its access table's OK for postmaster@ does not skip smtpd_reject_unlisted_recipient, which runs after the lists.
     */
    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource(delimiter = '|', textBlock = """
            client.test     | s@remote.test    | someone@elsewhere.test | 554 5.7.1 <someone@elsewhere.test>: Relay access denied
            client.test     | s@remote.test    | someone@backup.test    | 554 5.7.1 <someone@backup.test>: Relay access denied
            client.test     | s@remote.test    | abuse@elsewhere.test   | 554 5.7.1 <abuse@elsewhere.test>: Relay access denied
            client.test     | s@remote.test    | postmaster@alias.test  | 550 5.1.1 <postmaster@alias.test>: Recipient address rejected: User unknown in virtual mailbox table
            mx01.nausch.org | s@remote.test    | info@example.test      | 554 5.7.1 <mx01.nausch.org>: Helo command rejected: You are not me
            client.test     | spam@example.net | info@example.test      | 554 5.7.1 <spam@example.net>: Sender address rejected: Access denied
            client.test     | s@remote.test    | info@example.test      | 250 2.1.5 Ok
            client.test     | s@remote.test    | ghost@example.test     | 577 5.1.1 <ghost@example.test>: Recipient address rejected: undeliverable address: host 127.0.0.1[127.0.0.1] said: 550 5.1.1 <ghost@example.test> User doesn't exist: ghost@example.test (in reply to RCPT TO command)
            """)
    void importedAndHandWrittenAnswerAlike(String helo, String sender, String recipient, String expected) {
        assertEquals(expected, pastInProgress(stack.smtpPort(), helo, sender, recipient), "imported");
        assertEquals(expected, pastInProgress(handPort, helo, sender, recipient), "hand-written");
    }

    static String rcpt(int port, String helo, String sender, String recipient) {
        try (SmtpDialogue d = SmtpDialogue.open(port, "127.0.0.1")) {
            d.send("EHLO " + helo).expect("250 *");
            d.send("MAIL FROM:<" + sender + ">").expect("250 2.1.0 Ok");
            return d.send("RCPT TO:<" + recipient + ">").reply();
        }
    }

    /** The reply once a probe that reject_unverified_recipient started has an answer. */
    static String pastInProgress(int port, String helo, String sender, String recipient) {
        String[] reply = {""};
        Stack.await(Duration.ofSeconds(20), () -> !(reply[0] = rcpt(port, helo, sender, recipient)).contains("in progress"));
        return reply[0];
    }
}

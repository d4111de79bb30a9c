package io.mxgate.importer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import io.mxgate.importer.mapping.Outcome;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The admin's setup from the seed articles (src/test/resources/seed: main.cf, master.cf, the tables, Postfixadmin's
 * six .cf files) imported as `./mxgate import-postfix` does: the values it carries, what it reports as not carried,
 * and that helm/mxgate renders the result (Helm itself through helm-java, as HelmChartTest renders the chart).
 */
class ImportPostfixTest {

    static final Path SEED = Path.of("src/test/resources/seed").toAbsolutePath();
    static final Path CHART = root().resolve("helm/mxgate");
    static final ObjectMapper YAML = new YAMLMapper();

    static String stdout;
    static String stderr;
    static int status;
    static JsonNode values;

    @BeforeAll
    static void importSeed() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        status = ImportPostfix.run(new String[] {SEED.toString()}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        stdout = out.toString(StandardCharsets.UTF_8);
        stderr = err.toString(StandardCharsets.UTF_8);
        values = YAML.readTree(stdout);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            /myhostname                    | mx01.nausch.org
            /virtualTransport              | lmtp:[10.0.0.77]:24
            /virtualMailboxDomains         | mysql:/etc/mxgate/sql/mysql_virtual_domains_maps.cf
            /virtualAliasMaps              | mysql:/etc/mxgate/sql/mysql_virtual_alias_maps.cf, mysql:/etc/mxgate/sql/mysql_virtual_alias_domain_maps.cf, mysql:/etc/mxgate/sql/mysql_virtual_alias_domain_catchall_maps.cf
            /virtualMailboxMaps            | mysql:/etc/mxgate/sql/mysql_virtual_mailbox_maps.cf, mysql:/etc/mxgate/sql/mysql_virtual_alias_domain_mailbox_maps.cf
            /relayDomains                  | btree:/etc/mxgate/tables/relay_domains
            /config/transport-maps         | btree:/etc/mxgate/tables/transport_maps
            /smtpIngress/config/unverified-recipient-reject-code | 577
            /smtpIngress/config/permit-mx-backup-networks        | 88.217.171.167/32
            /smtpIngress/config/smtpd-relay-restrictions         | permit_sasl_authenticated, permit_mynetworks, reject_unauth_destination
            /smtpIngress/config/smtpd-recipient-restrictions     | check_recipient_access btree:/etc/mxgate/tables/access_recipient-rfc, check_client_access cidr:/etc/mxgate/tables/access_client, check_helo_access btree:/etc/mxgate/tables/access_helo, check_sender_access btree:/etc/mxgate/tables/access_sender, check_recipient_access btree:/etc/mxgate/tables/access_recipient, permit_sasl_authenticated, permit_mynetworks, reject_rbl_client zen.spamhaus.org, reject_rbl_client ix.dnsbl.manitu.net, reject_rbl_client bl.spamcop.net, reject_rhsbl_client multi.uribl.com, reject_unverified_recipient, permit_mx_backup, reject_unauth_destination, check_policy_service inet:10.0.0.77:10000, permit
            /sqlTables/mysql_virtual_alias_maps.cf/parameters/query | SELECT goto FROM alias WHERE address='%s' AND active = '1'
            /sqlTables/mysql_virtual_alias_maps.cf/parameters/user  | postfix
            /sqlTables/mysql_virtual_alias_maps.cf/passwordSecret/name | mxgate-sql
            /sqlTables/mysql_virtual_alias_maps.cf/passwordSecret/key  | password
            /sqlTables/mysql_virtual_domains_maps.cf/parameters/query | SELECT domain FROM domain WHERE domain='%s' AND active = '1'
            """)
    void carries(String pointer, String expected) {
        assertEquals(expected, values.at(pointer).asText(), pointer + " in\n" + stdout);
    }

    /** Text tables inline, with the dovecot: entry taken out; the SQL tables without their passwords. */
    @Test
    void tablesAreInlineAndPasswordsAreNot() throws Exception {
        assertEquals(List.of("relay_domains", "transport_maps", "access_recipient-rfc", "access_client", "access_helo",
                "access_sender", "access_recipient"), fieldNames(values.path("tables")));
        assertEquals(Files.readString(SEED.resolve("relay_domains")), values.at("/tables/relay_domains").asText());
        String transport = values.at("/tables/transport_maps").asText();
        assertTrue(transport.contains("\nfax.nausch.org                          smtp:[10.0.0.20]:25\n"), transport);
        assertTrue(transport.contains("\nkeyserver.nausch.org                    smtp:[10.0.0.30]:25\n"), transport);
        assertFalse(transport.lines().anyMatch(l -> l.startsWith("nausch.org")), transport);
        assertEquals(List.of("mysql_virtual_domains_maps.cf", "mysql_virtual_alias_maps.cf",
                "mysql_virtual_alias_domain_maps.cf", "mysql_virtual_alias_domain_catchall_maps.cf",
                "mysql_virtual_mailbox_maps.cf", "mysql_virtual_alias_domain_mailbox_maps.cf"),
                fieldNames(values.path("sqlTables")));
        values.path("sqlTables").forEach(t -> {
            assertFalse(t.path("parameters").has("password"), t.toString());
            assertEquals(List.of("user", "hosts", "dbname", "query"), fieldNames(t.path("parameters")));
        });
        assertFalse(stdout.contains("password = "), stdout);
    }

    /** Only values the admin changed: defaults and what mxgate cannot use are not in the file. */
    @Test
    void nothingElseIsCarried() {
        assertEquals(List.of("myhostname", "relayDomains", "config", "virtualMailboxDomains", "virtualAliasMaps",
                "virtualMailboxMaps", "virtualTransport", "smtpIngress", "tables", "sqlTables"), fieldNames(values));
        assertEquals(List.of("smtpd-recipient-restrictions", "permit-mx-backup-networks", "smtpd-relay-restrictions",
                "unverified-recipient-reject-code"), fieldNames(values.at("/smtpIngress/config")));
    }

    /** What was not carried, each with its reason on stderr. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            main.cf: mailbox_transport = cyrus                        | use lmtp:
            main.cf: address_verify_map = btree:/var/spool/postfix/data/verify | Redis
            master.cf: dovecot = unix pipe                             | use lmtp:
            table transport_maps: transport_maps entry = nausch.org    | pipe(8)
            """)
    void reportsWhatIsNotCarried(String setting, String reason) {
        List<String> lines = stderr.lines().toList();
        int at = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("  not carried: " + setting)) {
                at = i;
            }
        }
        assertTrue(at >= 0, setting + " not reported:\n" + stderr);
        assertTrue(lines.get(at + 1).contains(reason), lines.get(at + 1));
    }

    @Test
    void reportsExactlyTheFourThatAreNotCarried() {
        Importer.Result result = Importer.run(SEED, Importer.DEFAULT_SECRET);
        assertEquals(List.of("main.cf mailbox_transport", "main.cf address_verify_map", "master.cf dovecot",
                "table transport_maps transport_maps entry"), result.skipped().stream()
                .map(s -> s.setting().origin() + " " + s.setting().parameter()).toList());
        assertEquals(0, status);
        assertTrue(stderr.contains("kubectl create secret generic mxgate-sql --from-file=password="), stderr);
        assertFalse(stderr.contains("password = password"), stderr);
        assertTrue(result.outcomes().stream().noneMatch(o -> o instanceof Outcome.AtDefault), "the seed sets no default");
    }

    /** stdout is the values file and nothing else: it parses as YAML, and helm/mxgate renders it. */
    @Test
    void theChartRendersTheImportedValues() throws Exception {
        Path file = Files.createTempFile("imported-values", ".yaml");
        try {
            Files.writeString(file, stdout);
            String text = new Helm(CHART).template().withName("mxgate").withNamespace("mail").withValuesFile(file).call();
            Map<String, JsonNode> objects = new TreeMap<>();
            for (String doc : text.split("(?m)^---\\s*$")) {
                JsonNode node = YAML.readTree(doc);
                if (node != null && node.has("kind")) {
                    objects.put(node.path("kind").asText() + "/" + node.at("/metadata/name").asText(), node);
                }
            }
            JsonNode sql = objects.get("ConfigMap/mxgate-sql-tables");
            assertTrue(sql.at("/data/mysql_virtual_alias_maps.cf").asText()
                    .endsWith("password_file = /etc/mxgate/sql/password/mxgate-sql/password\n"), sql.toString());
            assertTrue(objects.get("ConfigMap/mxgate-tables").at("/data/access_client").asText().contains("192.0.2.0/24"));
            List<String> deployments = new ArrayList<>();
            objects.forEach((id, o) -> {
                if (id.startsWith("Deployment/")) {
                    deployments.add(id);
                    Map<String, String> env = new TreeMap<>();
                    o.at("/spec/template/spec/containers/0/env").forEach(e ->
                            env.put(e.path("name").asText(), e.path("value").asText()));
                    assertEquals(values.path("virtualMailboxMaps").asText(), env.get("MXGATE_VIRTUAL_MAILBOX_MAPS"), id);
                    assertEquals(values.path("virtualAliasMaps").asText(), env.get("MXGATE_VIRTUAL_ALIAS_MAPS"), id);
                    assertEquals("btree:/etc/mxgate/tables/transport_maps", env.get("MXGATE_TRANSPORT_MAPS"), id);
                }
            });
            assertEquals(4, deployments.size(), deployments.toString());
            JsonNode ingress = objects.get("Deployment/mxgate-smtp-ingress");
            String env = ingress.at("/spec/template/spec/containers/0/env").toString();
            assertTrue(env.contains("{\"name\":\"MXGATE_UNVERIFIED_RECIPIENT_REJECT_CODE\",\"value\":\"577\"}"), env);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    static Path root() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("helm/mxgate"))) {
                return p;
            }
        }
        throw new IllegalStateException("no helm/mxgate above " + Path.of("").toAbsolutePath());
    }
}

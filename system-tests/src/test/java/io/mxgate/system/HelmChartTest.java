package io.mxgate.system;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.Endpoint;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * HelmChartTest -- the Helm chart helm/mxgate, rendered by Helm itself, read back as Kubernetes types.
 *
 * <p>For the chart's defaults and every scenario in helm/mxgate/ci/*-values.yaml: {@code helm lint --strict} and
 * {@code helm template} through helm-java (Helm 3.21's own Go code as a native library from Maven Central, so no
 * helm binary and no cluster are needed), then every rendered document is parsed into its fabric8 model class by
 * apiVersion and kind. The parse is strict: an unknown kind, an unknown field (fabric8's classes keep unknown fields
 * in an any-setter, which {@link #STRICT} turns off so FAIL_ON_UNKNOWN_PROPERTIES applies), a duplicate key, or a
 * number where the API wants a string (an unquoted env value) fails, as the API server's strict field validation
 * would. Then the chart's rules: a PodDisruptionBudget only with more than one pod, a ServiceMonitor only with
 * metrics and serviceMonitor both on, NetworkPolicies opening exactly the ports in use, the SMTP load balancer
 * keeping client addresses, non-root read-only containers, probes on SmallRye Health's paths with only liveness
 * able to restart a pod. Also: k8s/mxgate.yaml is what the chart renders with its defaults (stale manifests fail),
 * and helm/mxgate/README.md is what k8s/chart-readme.py generates.
 *
 * <p>Needs no network after Maven has downloaded helm-java once; the whole class takes a few seconds.
 */
class HelmChartTest {

    static final Path ROOT = root();
    static final Path CHART = ROOT.resolve("helm/mxgate");
    static final String RELEASE = "mxgate";
    static final String NAMESPACE = "mail";
    static final String DEFAULTS = "defaults";
    static final ObjectMapper STRICT = strictMapper();
    static final ObjectMapper JSON = JsonMapper.builder().build();

    /** apiVersion/kind -> model class: the only kinds the chart may render. */
    static final Map<String, Class<? extends HasMetadata>> KINDS = Map.of(
            "v1/Service", Service.class,
            "v1/ConfigMap", ConfigMap.class,
            "apps/v1/Deployment", Deployment.class,
            "autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class,
            "policy/v1/PodDisruptionBudget", PodDisruptionBudget.class,
            "networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class,
            "monitoring.coreos.com/v1/ServiceMonitor", ServiceMonitor.class);

    /** values key -> component name (the app.kubernetes.io/component label, with the default names). */
    static final Map<String, String> COMPONENTS = orderedMap(
            "smtpIngress", "smtp-ingress", "verifier", "verifier", "queueWorker", "queue-worker",
            "lmtpDelivery", "lmtp-delivery");
    static final Set<String> KAFKA_USERS = Set.of("smtpIngress", "queueWorker", "lmtpDelivery");
    static final Set<String> LMTP_USERS = Set.of("verifier", "queueWorker", "lmtpDelivery");
    static final Set<String> REDIS_USERS = Set.of("verifier", "queueWorker");

    static final Map<String, Rendered> CACHE = new HashMap<>();

    /** One scenario: its merged values (as Helm computes them), the rendered text and the parsed objects. */
    record Rendered(String name, JsonNode values, String text, List<HasMetadata> objects) {

        <T extends HasMetadata> List<T> all(Class<T> kind) {
            return objects.stream().filter(kind::isInstance).map(kind::cast).toList();
        }

        <T extends HasMetadata> Optional<T> named(Class<T> kind, String name) {
            return all(kind).stream().filter(o -> o.getMetadata().getName().equals(name)).findFirst();
        }

        /** The enabled components: values key -> its Deployment. */
        Map<String, Deployment> deployments() {
            Map<String, Deployment> out = new LinkedHashMap<>();
            for (String key : COMPONENTS.keySet()) {
                JsonNode v = values.path(key);
                if (v.path("enabled").asBoolean()) {
                    String name = fullname() + "-" + v.path("name").asText();
                    out.put(key, named(Deployment.class, name)
                            .orElseThrow(() -> new AssertionError(this.name + ": no Deployment " + name)));
                }
            }
            return out;
        }

        String fullname() {
            return RELEASE;
        }

        String componentName(String key) {
            return fullname() + "-" + values.path(key).path("name").asText();
        }
    }

    // --- scenarios -------------------------------------------------------------------------------------------

    static Stream<String> scenarios() throws IOException {
        List<String> names = new ArrayList<>();
        names.add(DEFAULTS);
        try (Stream<Path> files = Files.list(CHART.resolve("ci"))) {
            files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml")).sorted().forEach(names::add);
        }
        return names.stream();
    }

    static synchronized Rendered rendered(String scenario) {
        return CACHE.computeIfAbsent(scenario, HelmChartTest::render);
    }

    static Rendered render(String scenario) {
        Path file = scenario.equals(DEFAULTS) ? null : CHART.resolve("ci").resolve(scenario);
        TemplateCommand template = new Helm(CHART).template().withName(RELEASE).withNamespace(NAMESPACE);
        if (file != null) {
            template = template.withValuesFile(file);
        }
        String text = template.call();
        return new Rendered(scenario, mergedValues(file), text, parse(scenario, text));
    }

    /**
     * The values the templates see: the chart's values.yaml coalesced with the scenario file by Helm itself (a
     * copy of the chart whose only template is {@code toJson .Values}), exactly what `helm template -f` uses.
     */
    static JsonNode mergedValues(Path file) {
        Path dump = tempDir("mxgate-values");
        try {
            for (String name : List.of("Chart.yaml", "values.yaml", "values.schema.json")) {
                Files.copy(CHART.resolve(name), dump.resolve(name));
            }
            Files.createDirectories(dump.resolve("templates"));
            Files.writeString(dump.resolve("templates/values.yaml"), "{{ toJson .Values }}\n");
            TemplateCommand template = new Helm(dump).template().withName(RELEASE);
            if (file != null) {
                template = template.withValuesFile(file);
            }
            String out = template.call().replaceAll("(?m)^(---|# Source: .*)$", "").strip();
            return JSON.readTree(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            delete(dump);
        }
    }

    /** Every document of helm template's output as its model class; unknown kinds and fields fail. */
    static List<HasMetadata> parse(String scenario, String text) {
        List<HasMetadata> objects = new ArrayList<>();
        for (String doc : text.split("(?m)^---\\s*$")) {
            Matcher source = Pattern.compile("(?m)^# Source: (.*)$").matcher(doc);
            String where = scenario + ": " + (source.find() ? source.group(1) : "(no source)");
            if (doc.lines().allMatch(l -> l.isBlank() || l.startsWith("#"))) {
                continue;
            }
            try {
                JsonNode node = STRICT.readTree(doc);
                String type = node.path("apiVersion").asText() + "/" + node.path("kind").asText();
                Class<? extends HasMetadata> kind = KINDS.get(type);
                assertNotNull(kind, where + ": a kind the chart must not render: " + type);
                objects.add(STRICT.treeToValue(node, kind));
            } catch (IOException e) {
                fail(where + ": not a valid Kubernetes object: " + e.getMessage());
            }
        }
        return objects;
    }

    /**
     * A YAML mapper that reads fabric8's model as strictly as the API server's field validation: unknown fields
     * fail (fabric8 collects them with a {@code @JsonAnySetter}, turned off here), duplicate keys fail, and no
     * scalar is coerced into another type (an env value 8080 without quotes is an error, not "8080").
     */
    static ObjectMapper strictMapper() {
        YAMLMapper mapper = YAMLMapper.builder(YAMLFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build())
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .annotationIntrospector(new JacksonAnnotationIntrospector() {
                    @Override
                    public Boolean hasAnySetter(Annotated a) {
                        return Boolean.FALSE;
                    }

                })
                .build();
        for (LogicalType type : List.of(LogicalType.Textual, LogicalType.Integer, LogicalType.Float,
                LogicalType.Boolean)) {
            for (CoercionInputShape shape : List.of(CoercionInputShape.Integer, CoercionInputShape.Float,
                    CoercionInputShape.Boolean, CoercionInputShape.String)) {
                mapper.coercionConfigFor(type).setCoercion(shape, CoercionAction.Fail);
            }
        }
        return mapper;
    }

    // --- helm lint and the parse itself ----------------------------------------------------------------------

    /**
     * helm lint --strict with the scenario's values. helm-java's lint takes no values files, so a copy of the
     * chart whose values.yaml is the merged values (what `helm lint -f` lints) is linted.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void lintIsCleanInStrictMode(String scenario) throws IOException {
        Path copy = tempDir("mxgate-lint").resolve("mxgate");
        try {
            copyTree(CHART, copy);
            Files.writeString(copy.resolve("values.yaml"), rendered(scenario).values().toPrettyString());
            LintResult lint = new Helm(copy).lint().strict().call();
            List<String> problems = lint.getMessages().stream()
                    .filter(m -> !m.startsWith("[INFO]")).toList();
            assertFalse(lint.isFailed(), scenario + ": helm lint --strict failed: " + lint.getMessages());
            assertEquals(List.of(), problems, scenario + ": helm lint --strict");
        } finally {
            delete(copy.getParent());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void everyObjectIsAKnownKubernetesTypeWithAUniqueName(String scenario) {
        Rendered r = rendered(scenario);
        assertFalse(r.objects().isEmpty(), scenario + ": nothing rendered");
        Set<String> seen = new TreeSet<>();
        for (HasMetadata o : r.objects()) {
            String id = o.getKind() + "/" + o.getMetadata().getName();
            assertTrue(seen.add(id), scenario + ": " + id + " twice");
            assertTrue(o.getMetadata().getName().length() <= 63, scenario + ": " + id + " is longer than 63");
            assertEquals(RELEASE, o.getMetadata().getLabels().get("app.kubernetes.io/instance"), scenario + ": " + id);
            assertEquals("mxgate", o.getMetadata().getLabels().get("app.kubernetes.io/part-of"), scenario + ": " + id);
        }
        assertEquals(COMPONENTS.keySet().stream().filter(k -> r.values().path(k).path("enabled").asBoolean()).count(),
                r.all(Deployment.class).size(), scenario + ": one Deployment per enabled component");
    }

    /** The strict reading is what makes the parse a validation: show it refuses what the API server would. */
    @Test
    void strictParseRefusesUnknownFieldsKindsAndCoercedScalars() {
        String deployment = """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: x
                spec:
                  selector: {matchLabels: {a: b}}
                  template:
                    metadata: {labels: {a: b}}
                    spec:
                      containers:
                        - name: x
                          image: x
                          %s
                """;
        assertEquals(1, parse("ok", deployment.formatted("env: [{name: A, value: \"1\"}]")).size());
        assertThrows(AssertionError.class, () -> parse("typo", deployment.formatted("imagePullPolcy: Always")));
        assertThrows(AssertionError.class, () -> parse("unquoted", deployment.formatted("env: [{name: A, value: 1}]")));
        assertThrows(AssertionError.class, () -> parse("misplaced", deployment.formatted("replicas: 2")));
        assertThrows(AssertionError.class, () -> parse("kind", "apiVersion: v1\nkind: Secret\nmetadata: {name: x}\n"));
        assertThrows(AssertionError.class, () -> parse("old api",
                "apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata: {name: x}\n"));
    }

    // --- the chart's rules -----------------------------------------------------------------------------------

    /** A PodDisruptionBudget exactly for the components that run more than one pod (replicas or HPA minimum). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void podDisruptionBudgetOnlyWithMoreThanOnePod(String scenario) {
        Rendered r = rendered(scenario);
        r.deployments().forEach((key, d) -> {
            String name = d.getMetadata().getName();
            Optional<HorizontalPodAutoscaler> hpa = r.named(HorizontalPodAutoscaler.class, name);
            JsonNode autoscaling = r.values().path(key).path("autoscaling");
            assertEquals(autoscaling.path("enabled").asBoolean(), hpa.isPresent(), scenario + ": HPA of " + name);
            int pods;
            if (hpa.isPresent()) {
                assertNull(d.getSpec().getReplicas(), scenario + ": " + name + " has an HPA and fixed replicas");
                var spec = hpa.get().getSpec();
                assertEquals("Deployment", spec.getScaleTargetRef().getKind());
                assertEquals(name, spec.getScaleTargetRef().getName());
                assertTrue(spec.getMinReplicas() <= spec.getMaxReplicas(), scenario + ": " + name);
                assertFalse(spec.getMetrics().isEmpty(), scenario + ": HPA " + name + " has no metric");
                pods = spec.getMinReplicas();
            } else {
                pods = d.getSpec().getReplicas();
            }
            Optional<PodDisruptionBudget> pdb = r.named(PodDisruptionBudget.class, name);
            assertEquals(pods > 1, pdb.isPresent(), scenario + ": PodDisruptionBudget of " + name + " with " + pods + " pods");
            pdb.ifPresent(b -> {
                assertEquals(d.getSpec().getSelector(), b.getSpec().getSelector(), scenario + ": PDB selector of " + name);
                IntOrString min = b.getSpec().getMinAvailable();
                if (min != null && min.getIntVal() != null) {
                    assertTrue(min.getIntVal() < pods, scenario + ": minAvailable " + min.getIntVal()
                            + " of " + name + " blocks every eviction with " + pods + " pods");
                }
            });
        });
        assertEquals(r.all(PodDisruptionBudget.class).size(), r.all(PodDisruptionBudget.class).stream()
                .filter(b -> r.named(Deployment.class, b.getMetadata().getName()).isPresent()).count());
    }

    /** ServiceMonitors only when metrics.enabled and metrics.serviceMonitor.enabled, each on a Service's http port. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void serviceMonitorOnlyWhenMetricsAndServiceMonitorAreOn(String scenario) {
        Rendered r = rendered(scenario);
        JsonNode metrics = r.values().path("metrics");
        boolean on = metrics.path("enabled").asBoolean() && metrics.path("serviceMonitor").path("enabled").asBoolean();
        assertEquals(on ? r.deployments().size() : 0, r.all(ServiceMonitor.class).size(), scenario + ": ServiceMonitors");
        for (ServiceMonitor sm : r.all(ServiceMonitor.class)) {
            Map<String, String> selector = sm.getSpec().getSelector().getMatchLabels();
            List<Service> services = r.all(Service.class).stream()
                    .filter(s -> s.getMetadata().getLabels().entrySet().containsAll(selector.entrySet()))
                    .filter(s -> s.getSpec().getPorts().stream().anyMatch(p -> "http".equals(p.getName())))
                    .toList();
            assertEquals(1, services.size(), scenario + ": ServiceMonitor " + sm.getMetadata().getName()
                    + " should select one http Service, selects " + services);
            for (Endpoint e : sm.getSpec().getEndpoints()) {
                assertEquals("http", e.getPort());
                assertEquals("/q/metrics", e.getPath());
            }
            String ns = metrics.path("serviceMonitor").path("namespace").asText();
            if (!ns.isEmpty()) {
                assertEquals(ns, sm.getMetadata().getNamespace());
                assertEquals(List.of(NAMESPACE), sm.getSpec().getNamespaceSelector().getMatchNames());
            }
        }
        boolean dashboard = metrics.path("grafanaDashboard").path("enabled").asBoolean();
        Optional<ConfigMap> cm = r.named(ConfigMap.class, RELEASE + "-dashboard");
        assertEquals(dashboard, cm.isPresent(), scenario + ": dashboard ConfigMap");
        cm.ifPresent(c -> {
            assertEquals("1", c.getMetadata().getLabels().get("grafana_dashboard"));
            assertDashboard(c.getData().get("mxgate.json"));
        });
    }

    /**
     * NetworkPolicies open exactly the ports in use: into each pod only the ports it listens on and someone needs
     * (SMTP only into smtp-ingress, the verifier's HTTP only from smtp-ingress, lmtp-delivery nothing but metrics),
     * out of each pod only to the backends it talks to, each rule naming its ports.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void networkPolicyOpensExactlyThePortsInUse(String scenario) {
        Rendered r = rendered(scenario);
        JsonNode v = r.values();
        boolean enabled = v.path("networkPolicy").path("enabled").asBoolean();
        assertEquals(enabled ? r.deployments().size() : 0, r.all(NetworkPolicy.class).size(), scenario + ": NetworkPolicies");
        if (!enabled) {
            return;
        }
        boolean metrics = v.path("metrics").path("enabled").asBoolean();
        r.deployments().forEach((key, d) -> {
            String name = d.getMetadata().getName();
            NetworkPolicy np = r.named(NetworkPolicy.class, name).orElseThrow(() -> new AssertionError(scenario + ": no NetworkPolicy " + name));
            String where = scenario + ": NetworkPolicy " + name;
            assertEquals(d.getSpec().getSelector(), np.getSpec().getPodSelector(), where);
            assertEquals(List.of("Ingress", "Egress"), np.getSpec().getPolicyTypes(), where);

            Map<String, Integer> listening = container(d).getPorts().stream()
                    .collect(Collectors.toMap(ContainerPort::getName, ContainerPort::getContainerPort));
            Set<String> in = new TreeSet<>();
            np.getSpec().getIngress().forEach(rule -> {
                assertFalse(rule.getPorts().isEmpty(), where + ": an ingress rule without ports opens them all");
                for (NetworkPolicyPort p : rule.getPorts()) {
                    IntOrString port = p.getPort();
                    Integer number = port.getStrVal() != null ? listening.get(port.getStrVal()) : port.getIntVal();
                    assertNotNull(number, where + ": opens port " + port.getStrVal() + ", which the pod does not have");
                    assertTrue(listening.containsValue(number), where + ": opens " + number + ", where nothing listens");
                    in.add(number + "/" + p.getProtocol());
                }
            });
            Set<String> expectedIn = new TreeSet<>();
            listening.forEach((portName, number) -> {
                boolean http = portName.equals("http");
                boolean used = !http || metrics || key.equals("queueWorker")
                        || (key.equals("verifier") && (v.path("smtpIngress").path("enabled").asBoolean()
                        || !v.path("networkPolicy").path("verifierFrom").isEmpty()));
                if (used) {
                    expectedIn.add(number + "/TCP");
                }
            });
            extraPorts(v.path(key).path("networkPolicy").path("extraIngress"), expectedIn);
            assertEquals(expectedIn, in, where + ": ingress ports");
            if (!key.equals("smtpIngress")) {
                assertTrue(listening.keySet().stream().noneMatch(n -> n.startsWith("smtp")), where);
            }
            if (key.equals("verifier")) {
                verifierOnlyFromTheIngress(r, np, where);
            }
            if (key.equals("smtpIngress")) {
                proxyPortOnlyFromTheLoadBalancer(v.path(key).path("service"), np, where);
            }

            Set<String> out = new TreeSet<>();
            np.getSpec().getEgress().forEach(rule -> {
                assertFalse(rule.getPorts().isEmpty(), where + ": an egress rule without ports opens them all");
                rule.getPorts().forEach(p -> out.add(p.getPort().getIntVal() + "/" + p.getProtocol()));
            });
            assertEquals(expectedEgress(key, v), out, where + ": egress ports");
        });
    }

    /** Who may call the verifier: smtp-ingress, verifierFrom, and metricsFrom (never anyone) when metrics are on. */
    static void verifierOnlyFromTheIngress(Rendered r, NetworkPolicy np, String where) {
        JsonNode v = r.values();
        Set<JsonNode> allowed = new java.util.HashSet<>();
        Deployment ingress = r.deployments().get("smtpIngress");
        if (ingress != null) {
            allowed.add(JSON.valueToTree(Map.of("podSelector", Map.of("matchLabels",
                    ingress.getSpec().getSelector().getMatchLabels()))));
        }
        v.path("networkPolicy").path("verifierFrom").forEach(allowed::add);
        if (v.path("metrics").path("enabled").asBoolean()) {
            v.path("networkPolicy").path("metricsFrom").forEach(allowed::add);
        }
        np.getSpec().getIngress().forEach(rule -> {
            assertFalse(rule.getFrom().isEmpty(), where + ": the verifier's API open to anyone");
            for (NetworkPolicyPeer peer : rule.getFrom()) {
                assertTrue(allowed.contains(JSON.valueToTree(peer)), where + ": unexpected peer " + peer);
            }
        });
    }

    /**
     * The PROXY listener believes the client address in the header, so only the load balancer may reach it: its port
     * is in one rule of its own whose peers are exactly proxyTrustedNetworks as ipBlocks, never in smtpFrom's rule.
     */
    static void proxyPortOnlyFromTheLoadBalancer(JsonNode service, NetworkPolicy np, String where) {
        var proxyRules = np.getSpec().getIngress().stream()
                .filter(rule -> rule.getPorts().stream().anyMatch(p -> "smtp-proxy".equals(p.getPort().getStrVal())))
                .toList();
        if (!service.path("proxyProtocol").asBoolean()) {
            assertEquals(List.of(), proxyRules, where + ": no PROXY listener, no rule for it");
            return;
        }
        assertEquals(1, proxyRules.size(), where + ": one rule for the PROXY port");
        var rule = proxyRules.get(0);
        assertEquals(1, rule.getPorts().size(), where + ": the PROXY port's rule opens nothing else");
        List<String> expected = new ArrayList<>();
        service.path("proxyTrustedNetworks").forEach(n -> expected.add(n.asText().contains("/") ? n.asText()
                : n.asText() + (n.asText().contains(":") ? "/128" : "/32")));
        assertFalse(expected.isEmpty(), where);
        List<String> peers = new ArrayList<>();
        for (NetworkPolicyPeer peer : rule.getFrom()) {
            assertNotNull(peer.getIpBlock(), where + ": a PROXY peer that is not an ipBlock: " + peer);
            assertNull(peer.getNamespaceSelector(), where);
            assertNull(peer.getPodSelector(), where);
            peers.add(peer.getIpBlock().getCidr());
        }
        assertEquals(expected, peers, where + ": PROXY port peers");
    }

    /** The egress ports a component needs, computed from the values the way docs/configuration.md describes them. */
    static Set<String> expectedEgress(String key, JsonNode v) {
        JsonNode np = v.path("networkPolicy");
        Set<String> out = new TreeSet<>();
        if (np.path("dns").path("enabled").asBoolean()) {
            out.add("53/UDP");
            out.add("53/TCP");
        }
        if (KAFKA_USERS.contains(key)) {
            out.addAll(ports(np.path("kafka").path("ports"), v.path("kafka").path("bootstrapServers").asText(), 9092));
        }
        if (REDIS_USERS.contains(key)) {
            String address = "";
            if (v.path("redis").path("existingSecret").asText().isEmpty()) {
                URI url = URI.create(v.path("redis").path("url").asText());
                address = url.getPort() < 0 ? "" : ":" + url.getPort();
            }
            out.addAll(ports(np.path("redis").path("ports"), address, 6379));
        }
        if (LMTP_USERS.contains(key)) {
            out.addAll(ports(np.path("dovecot").path("lmtpPorts"), v.path("virtualTransport").asText(), 24));
        }
        if (key.equals("smtpIngress") && v.path(key).path("sasl").path("enabled").asBoolean()) {
            out.addAll(ports(np.path("dovecot").path("authPorts"), v.path(key).path("sasl").path("path").asText(), 12345));
        }
        if (key.equals("smtpIngress") && v.path("verifier").path("enabled").asBoolean()) {
            out.add(httpPort(v, "verifier") + "/TCP");
        }
        if (key.equals("queueWorker") || (key.equals("verifier") && !v.path("relayDomains").asText().isEmpty())) {
            out.addAll(ports(np.path("smtp").path("ports"), "", 25));
        }
        extraPorts(v.path(key).path("networkPolicy").path("extraEgress"), out);
        return out;
    }

    static boolean hostNetwork(JsonNode v) {
        return v.path("hostNetwork").path("enabled").asBoolean();
    }

    /** The address the listeners bind: every address of the pod's own network, or hostNetwork.address. */
    static String bindAddress(JsonNode v) {
        return hostNetwork(v) ? v.path("hostNetwork").path("address").asText() : "0.0.0.0";
    }

    /** A component's http container port: 8080, or its own with hostNetwork (the pods share one network). */
    static int httpPort(JsonNode v, String key) {
        return hostNetwork(v) ? v.path("hostNetwork").path("httpPorts").path(key).asInt() : 8080;
    }

    /** The explicit ports, else those named in host:port addresses, else the default; as "port/TCP". */
    static Set<String> ports(JsonNode explicit, String addresses, int dflt) {
        Set<String> out = new TreeSet<>();
        explicit.forEach(p -> out.add(p.asInt() + "/TCP"));
        if (out.isEmpty()) {
            Matcher m = Pattern.compile(":([0-9]+)/?(?:[, ]|$)").matcher(addresses);
            while (m.find()) {
                out.add(m.group(1) + "/TCP");
            }
        }
        if (out.isEmpty()) {
            out.add(dflt + "/TCP");
        }
        return out;
    }

    static void extraPorts(JsonNode rules, Set<String> into) {
        rules.forEach(rule -> rule.path("ports").forEach(p ->
                into.add(p.path("port").asText() + "/" + p.path("protocol").asText("TCP"))));
    }

    /**
     * The SMTP Service keeps the client's address (externalTrafficPolicy Local) and targets the listener that
     * matches the load balancer: the PROXY listener exactly when proxyProtocol is on.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void smtpServiceKeepsClientAddressesAndTargetsTheRightListener(String scenario) {
        Rendered r = rendered(scenario);
        JsonNode ingress = r.values().path("smtpIngress");
        Deployment d = r.deployments().get("smtpIngress");
        if (d == null || !ingress.path("service").path("enabled").asBoolean()) {
            return;
        }
        Service smtp = r.named(Service.class, r.componentName("smtpIngress"))
                .orElseThrow(() -> new AssertionError(scenario + ": no SMTP Service"));
        String type = smtp.getSpec().getType();
        assertEquals(ingress.path("service").path("type").asText(), type);
        if (type.equals("LoadBalancer") || type.equals("NodePort")) {
            assertEquals("Local", smtp.getSpec().getExternalTrafficPolicy(), scenario + ": the pods must see client addresses");
        }
        if (scenario.equals(DEFAULTS)) {
            assertEquals("LoadBalancer", type);
            assertEquals(25, smtp.getSpec().getPorts().get(0).getPort());
        }
        boolean proxy = ingress.path("service").path("proxyProtocol").asBoolean();
        ServicePort port = smtp.getSpec().getPorts().get(0);
        assertEquals(proxy ? "smtp-proxy" : "smtp", port.getTargetPort().getStrVal(), scenario + ": SMTP Service target");
        Map<String, String> env = env(container(d));
        Map<String, Integer> ports = container(d).getPorts().stream()
                .collect(Collectors.toMap(ContainerPort::getName, ContainerPort::getContainerPort));
        assertEquals(String.valueOf(ports.get("smtp")), env.get("MXGATE_SMTPD_PORT"));
        if (proxy) {
            assertEquals("haproxy", env.get("MXGATE_SMTPD_UPSTREAM_PROXY_PROTOCOL"));
            assertEquals(String.valueOf(ports.get("smtp-proxy")), env.get("MXGATE_SMTPD_PROXY_PORT"));
            List<String> trusted = new ArrayList<>();
            ingress.path("service").path("proxyTrustedNetworks").forEach(n -> trusted.add(n.asText()));
            assertFalse(trusted.isEmpty(), scenario + ": a PROXY listener that believes every peer");
            assertEquals(String.join(", ", trusted), env.get("MXGATE_SMTPD_UPSTREAM_PROXY_TRUSTED_NETWORKS"));
        } else {
            assertFalse(ports.containsKey("smtp-proxy"), scenario + ": a PROXY listener nobody sends to");
            assertFalse(env.containsKey("MXGATE_SMTPD_UPSTREAM_PROXY_PROTOCOL"));
            assertFalse(env.containsKey("MXGATE_SMTPD_UPSTREAM_PROXY_TRUSTED_NETWORKS"));
        }
        r.named(Service.class, r.componentName("smtpIngress") + "-internal").ifPresent(internal ->
                assertEquals("smtp", internal.getSpec().getPorts().get(0).getTargetPort().getStrVal(),
                        scenario + ": in-cluster clients send no PROXY header"));
    }

    /** Every Service selects exactly one component's pods and targets ports those pods have. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void servicesSelectOneComponentAndExistingPorts(String scenario) {
        Rendered r = rendered(scenario);
        for (Service s : r.all(Service.class)) {
            Map<String, String> selector = s.getSpec().getSelector();
            List<Deployment> targets = r.all(Deployment.class).stream().filter(d -> d.getSpec().getTemplate()
                    .getMetadata().getLabels().entrySet().containsAll(selector.entrySet())).toList();
            assertEquals(1, targets.size(), scenario + ": Service " + s.getMetadata().getName() + " selects " + targets.size());
            Set<String> names = container(targets.get(0)).getPorts().stream().map(ContainerPort::getName)
                    .collect(Collectors.toSet());
            for (ServicePort p : s.getSpec().getPorts()) {
                assertTrue(names.contains(p.getTargetPort().getStrVal()), scenario + ": Service "
                        + s.getMetadata().getName() + " targets " + p.getTargetPort() + ", pods have " + names);
            }
        }
        r.deployments().forEach((key, d) -> assertTrue(r.named(Service.class, d.getMetadata().getName() + "-http").isPresent(),
                scenario + ": no http Service for " + d.getMetadata().getName()));
        Deployment ingress = r.deployments().get("smtpIngress");
        if (ingress != null && r.deployments().containsKey("verifier")) {
            Service verifier = r.named(Service.class, r.componentName("verifier") + "-http").orElseThrow();
            // with hostNetwork (podman, no Services): the verifier's own address and port
            String url = hostNetwork(r.values())
                    ? "http://" + bindAddress(r.values()) + ":" + httpPort(r.values(), "verifier")
                    : "http://" + verifier.getMetadata().getName() + ":" + verifier.getSpec().getPorts().get(0).getPort();
            assertEquals(url, env(container(ingress)).get("MXGATE_VERIFIER_URL"), scenario + ": smtp-ingress reaches the verifier");
        }
    }

    /** Non-root, read-only root filesystem, no privilege escalation, no capabilities, no service account token. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void containersRunAsNonRootWithAReadOnlyRootFilesystem(String scenario) {
        Rendered r = rendered(scenario);
        for (Deployment d : r.all(Deployment.class)) {
            String where = scenario + ": " + d.getMetadata().getName();
            PodSpec pod = d.getSpec().getTemplate().getSpec();
            assertEquals(Boolean.FALSE, pod.getAutomountServiceAccountToken(), where);
            assertEquals(hostNetwork(r.values()), Boolean.TRUE.equals(pod.getHostNetwork()),
                    where + ": the host's network only when hostNetwork.enabled says so");
            PodSecurityContext psc = Objects.requireNonNull(pod.getSecurityContext(), where);
            for (Container c : pod.getContainers()) {
                SecurityContext sc = Objects.requireNonNull(c.getSecurityContext(), where);
                boolean nonRoot = Boolean.TRUE.equals(sc.getRunAsNonRoot())
                        || (sc.getRunAsNonRoot() == null && Boolean.TRUE.equals(psc.getRunAsNonRoot()));
                assertTrue(nonRoot, where + ": runAsNonRoot");
                Long uid = sc.getRunAsUser() != null ? sc.getRunAsUser() : psc.getRunAsUser();
                assertTrue(uid != null && uid != 0, where + ": runAsUser");
                assertEquals(Boolean.TRUE, sc.getReadOnlyRootFilesystem(), where + ": readOnlyRootFilesystem");
                assertEquals(Boolean.FALSE, sc.getAllowPrivilegeEscalation(), where + ": allowPrivilegeEscalation");
                assertNotEquals(Boolean.TRUE, sc.getPrivileged(), where);
                assertEquals(List.of("ALL"), sc.getCapabilities().getDrop(), where + ": capabilities");
                assertTrue(sc.getCapabilities().getAdd() == null || sc.getCapabilities().getAdd().isEmpty(), where);
                assertTrue(c.getVolumeMounts().stream().anyMatch(m -> m.getMountPath().equals("/tmp")),
                        where + ": the JVM needs a writable /tmp");
            }
            String seccomp = psc.getSeccompProfile() == null ? null : psc.getSeccompProfile().getType();
            assertEquals("RuntimeDefault", seccomp, where);
        }
    }

    /**
     * Probes on SmallRye Health: startup /q/health/started, liveness /q/health/live, readiness /q/health/ready, all
     * on the http port the service listens on. Readiness never restarts a pod; liveness, the only probe that does,
     * is the process's own check, never a backend's.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void probesUseSmallRyeHealthAndOnlyLivenessRestarts(String scenario) {
        Rendered r = rendered(scenario);
        for (Deployment d : r.all(Deployment.class)) {
            String where = scenario + ": " + d.getMetadata().getName();
            Container c = container(d);
            Map<String, Integer> ports = c.getPorts().stream()
                    .collect(Collectors.toMap(ContainerPort::getName, ContainerPort::getContainerPort));
            assertEquals(String.valueOf(ports.get("http")), env(c).get("QUARKUS_HTTP_PORT"), where);
            assertEquals(bindAddress(r.values()), env(c).get("QUARKUS_HTTP_HOST"), where);
            assertProbe(c.getStartupProbe(), "/q/health/started", where + ": startup");
            assertProbe(c.getLivenessProbe(), "/q/health/live", where + ": liveness");
            assertProbe(c.getReadinessProbe(), "/q/health/ready", where + ": readiness");
        }
    }

    static void assertProbe(Probe probe, String path, String where) {
        assertNotNull(probe, where + " probe");
        assertNull(probe.getExec(), where + ": no exec probes");
        assertNull(probe.getTcpSocket(), where);
        assertEquals(path, probe.getHttpGet().getPath(), where);
        assertEquals("http", probe.getHttpGet().getPort().getStrVal(), where);
        assertTrue(probe.getFailureThreshold() >= 1 && probe.getPeriodSeconds() >= 1, where);
    }

    /** Shutdown: the grace period from values, and smtp-ingress drains its sessions well inside it. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void terminationGraceMatchesTheDrain(String scenario) {
        Rendered r = rendered(scenario);
        r.deployments().forEach((key, d) -> {
            long grace = d.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds();
            assertEquals(r.values().path(key).path("terminationGracePeriodSeconds").asLong(), grace);
            if (key.equals("smtpIngress")) {
                String drain = env(container(d)).get("MXGATE_SMTPD_DRAIN_TIMEOUT");
                assertTrue(drain.matches("[0-9]+s"), drain);
                assertTrue(Long.parseLong(drain.replace("s", "")) < grace, scenario + ": drain " + drain + " vs grace " + grace);
            }
        });
        if (scenario.equals(DEFAULTS)) {
            r.deployments().values().forEach(d ->
                    assertEquals(60L, d.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds()));
        }
    }

    /** Environment: unique names, values as text, Kafka and Redis only for the services that use them. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void environmentIsWhatEachServiceReads(String scenario) {
        Rendered r = rendered(scenario);
        r.deployments().forEach((key, d) -> {
            String where = scenario + ": " + d.getMetadata().getName();
            List<EnvVar> vars = container(d).getEnv();
            Set<String> names = new TreeSet<>();
            for (EnvVar e : vars) {
                assertTrue(names.add(e.getName()), where + ": " + e.getName() + " twice");
                assertTrue(e.getValue() != null ^ e.getValueFrom() != null, where + ": " + e.getName());
            }
            assertEquals(KAFKA_USERS.contains(key), names.contains("MXGATE_KAFKA_BOOTSTRAP_SERVERS"), where);
            assertEquals(REDIS_USERS.contains(key), names.contains("MXGATE_REDIS_URL"), where);
            assertEquals(r.values().path("messageSizeLimit").asText(), env(container(d)).get("MXGATE_MESSAGE_SIZE_LIMIT"), where);
        });
    }

    /**
     * Redis security (issue 17): the password only through a secretKeyRef, and the CA certificate alone (not the rest
     * of its Secret) mounted read-only, named by MXGATE_REDIS_TLS_CA_FILE; both only in the services that use Redis.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void redisPasswordAndCaComeFromSecrets(String scenario) {
        Rendered r = rendered(scenario);
        JsonNode redis = r.values().path("redis");
        String passwordSecret = redis.path("password").path("existingSecret").asText();
        String caSecret = redis.path("tls").path("caExistingSecret").asText();
        String caKey = redis.path("tls").path("caExistingSecretKey").asText();
        r.deployments().forEach((key, d) -> {
            String where = scenario + ": " + d.getMetadata().getName();
            boolean uses = REDIS_USERS.contains(key);
            Optional<EnvVar> password = container(d).getEnv().stream()
                    .filter(e -> e.getName().equals("MXGATE_REDIS_PASSWORD")).findFirst();
            assertEquals(uses && !passwordSecret.isEmpty(), password.isPresent(), where + ": MXGATE_REDIS_PASSWORD");
            password.ifPresent(e -> {
                assertNull(e.getValue(), where + ": a password in plain text");
                assertEquals(passwordSecret, e.getValueFrom().getSecretKeyRef().getName(), where);
                assertEquals(redis.path("password").path("existingSecretKey").asText(),
                        e.getValueFrom().getSecretKeyRef().getKey(), where);
            });
            Optional<VolumeMount> ca = container(d).getVolumeMounts().stream()
                    .filter(m -> m.getMountPath().equals("/etc/mxgate/redis-tls")).findFirst();
            assertEquals(uses && !caSecret.isEmpty(), ca.isPresent(), where + ": Redis CA mount");
            assertEquals(ca.map(m -> "/etc/mxgate/redis-tls/" + caKey).orElse(null),
                    env(container(d)).get("MXGATE_REDIS_TLS_CA_FILE"), where);
            ca.ifPresent(m -> {
                assertEquals(Boolean.TRUE, m.getReadOnly(), where);
                var secret = volume(d, m.getName()).getSecret();
                assertEquals(caSecret, secret.getSecretName(), where);
                assertEquals(List.of(caKey), secret.getItems().stream().map(i -> i.getKey()).toList(),
                        where + ": only the CA certificate is mounted");
            });
        });
    }

    /** Tables in a ConfigMap mounted as a directory (so updates reach the pods); TLS from the Secret. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void tablesAndTlsAreMounted(String scenario) {
        Rendered r = rendered(scenario);
        JsonNode tables = r.values().path("tables");
        Optional<ConfigMap> cm = r.named(ConfigMap.class, RELEASE + "-tables");
        assertEquals(!tables.isEmpty(), cm.isPresent(), scenario + ": tables ConfigMap");
        cm.ifPresent(c -> tables.fields().forEachRemaining(t ->
                assertEquals(t.getValue().asText(), c.getData().get(t.getKey()), scenario + ": table " + t.getKey())));
        r.deployments().forEach((key, d) -> {
            String where = scenario + ": " + d.getMetadata().getName();
            Optional<VolumeMount> mount = container(d).getVolumeMounts().stream()
                    .filter(m -> m.getMountPath().equals("/etc/mxgate/tables")).findFirst();
            assertEquals(cm.isPresent(), mount.isPresent(), where + ": tables mount");
            mount.ifPresent(m -> {
                assertNull(m.getSubPath(), where + ": a subPath mount never sees ConfigMap updates");
                assertEquals(Boolean.TRUE, m.getReadOnly());
                assertEquals(RELEASE + "-tables", volume(d, m.getName()).getConfigMap().getName());
            });
            String secret = key.equals("smtpIngress") ? r.values().path(key).path("tls").path("existingSecret").asText() : "";
            Optional<VolumeMount> tls = container(d).getVolumeMounts().stream()
                    .filter(m -> m.getMountPath().equals("/etc/mxgate/tls")).findFirst();
            assertEquals(!secret.isEmpty(), tls.isPresent(), where + ": TLS mount");
            tls.ifPresent(m -> {
                assertEquals(secret, volume(d, m.getName()).getSecret().getSecretName());
                Map<String, String> env = env(container(d));
                assertEquals("/etc/mxgate/tls/tls.crt", env.get("MXGATE_SMTPD_TLS_CERT_FILE"));
                assertEquals("/etc/mxgate/tls/tls.key", env.get("MXGATE_SMTPD_TLS_KEY_FILE"));
            });
        });
    }

    /**
     * SQL tables (sqlTables): each .cf file in the ConfigMap <release>-sql-tables without a password, ending in the
     * password_file where its Secret key is mounted; one projected volume at /etc/mxgate/sql in every pod carries
     * both, each Secret key once; and the virtual domain values reach every service.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void sqlTablesAreMountedWithTheirPasswordsFromSecrets(String scenario) {
        Rendered r = rendered(scenario);
        JsonNode sql = r.values().path("sqlTables");
        Optional<ConfigMap> cm = r.named(ConfigMap.class, RELEASE + "-sql-tables");
        assertEquals(!sql.isEmpty(), cm.isPresent(), scenario + ": sql-tables ConfigMap");
        Map<String, Set<String>> secretKeys = new java.util.TreeMap<>();
        sql.fields().forEachRemaining(t -> {
            String file = cm.orElseThrow().getData().get(t.getKey());
            assertNotNull(file, scenario + ": no " + t.getKey());
            assertFalse(file.lines().anyMatch(l -> l.startsWith("password ")), scenario + ": a password in a ConfigMap");
            t.getValue().path("parameters").fields().forEachRemaining(p ->
                    assertTrue(file.contains(p.getKey() + " = " + p.getValue().asText() + "\n"), scenario + ": " + p.getKey()));
            JsonNode secret = t.getValue().path("passwordSecret");
            if (!secret.isMissingNode()) {
                assertTrue(file.endsWith("password_file = /etc/mxgate/sql/password/" + secret.path("name").asText() + "/"
                        + secret.path("key").asText() + "\n"), scenario + ": " + file);
                secretKeys.computeIfAbsent(secret.path("name").asText(), n -> new TreeSet<>()).add(secret.path("key").asText());
            }
        });
        r.deployments().forEach((key, d) -> {
            String where = scenario + ": " + d.getMetadata().getName();
            Optional<VolumeMount> mount = container(d).getVolumeMounts().stream()
                    .filter(m -> m.getMountPath().equals("/etc/mxgate/sql")).findFirst();
            assertEquals(cm.isPresent(), mount.isPresent(), where + ": sql mount");
            mount.ifPresent(m -> {
                assertNull(m.getSubPath(), where);
                assertEquals(Boolean.TRUE, m.getReadOnly(), where);
                var sources = volume(d, m.getName()).getProjected().getSources();
                assertEquals(RELEASE + "-sql-tables", sources.get(0).getConfigMap().getName(), where);
                Map<String, Set<String>> mounted = new java.util.TreeMap<>();
                sources.stream().skip(1).forEach(src -> src.getSecret().getItems().forEach(i -> {
                    assertEquals("password/" + src.getSecret().getName() + "/" + i.getKey(), i.getPath(), where);
                    assertTrue(mounted.computeIfAbsent(src.getSecret().getName(), n -> new TreeSet<>()).add(i.getKey()), where);
                }));
                assertEquals(secretKeys, mounted, where + ": Secret keys mounted");
            });
            Map<String, String> env = env(container(d));
            for (String[] v : new String[][] {{"virtualMailboxMaps", "MXGATE_VIRTUAL_MAILBOX_MAPS"},
                    {"virtualAliasMaps", "MXGATE_VIRTUAL_ALIAS_MAPS"}, {"virtualAliasDomains", "MXGATE_VIRTUAL_ALIAS_DOMAINS"},
                    {"smtpdRejectUnlistedRecipient", "MXGATE_SMTPD_REJECT_UNLISTED_RECIPIENT"}}) {
                String value = r.values().path(v[0]).asText();
                assertEquals(value.isEmpty() ? null : value, env.get(v[1]), where + ": " + v[1]);
            }
        });
    }

    /**
     * kafka.security: the services that use Kafka get MXGATE_KAFKA_SECURITY_PROTOCOL and the SASL and TLS settings,
     * every password or JAAS line as a secretKeyRef into the named Secret (never a value), the CA and the client
     * keystore mounted read-only from their Secrets with the file settings pointing into them; the verifier and a
     * PLAINTEXT cluster get none of it.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void kafkaSecurityComesFromSecrets(String scenario) {
        Rendered r = rendered(scenario);
        assertKafkaSecurity(r.values().path("kafka").path("security"), r.deployments(), scenario);
    }

    static void assertKafkaSecurity(JsonNode sec, Map<String, Deployment> deployments, String scenario) {
        String protocol = sec.path("protocol").asText();
        boolean sasl = protocol.startsWith("SASL_");
        boolean tls = protocol.endsWith("SSL");
        JsonNode s = sec.path("sasl");
        JsonNode t = sec.path("tls");
        deployments.forEach((key, d) -> {
            String where = scenario + ": " + d.getMetadata().getName();
            boolean kafka = KAFKA_USERS.contains(key) && !protocol.equals("PLAINTEXT");
            Map<String, String> values = new java.util.TreeMap<>();
            Map<String, List<String>> refs = new java.util.TreeMap<>();
            for (EnvVar e : container(d).getEnv()) {
                if (!e.getName().startsWith("MXGATE_KAFKA_S")) {
                    continue;
                }
                if (e.getValue() != null) {
                    values.put(e.getName(), e.getValue());
                } else {
                    var ref = e.getValueFrom().getSecretKeyRef();
                    assertNotNull(ref, where + ": " + e.getName() + " from something else than a Secret");
                    refs.put(e.getName(), List.of(ref.getName(), ref.getKey()));
                }
            }
            Map<String, String> wantValues = new java.util.TreeMap<>();
            Map<String, List<String>> wantRefs = new java.util.TreeMap<>();
            Map<String, String> wantMounts = new java.util.TreeMap<>();
            if (kafka) {
                wantValues.put("MXGATE_KAFKA_SECURITY_PROTOCOL", protocol);
            }
            if (kafka && sasl) {
                wantValues.put("MXGATE_KAFKA_SASL_MECHANISM", s.path("mechanism").asText());
                String secret = s.path("existingSecret").asText();
                if (s.path("jaasConfigKey").asText().isEmpty()) {
                    wantValues.put("MXGATE_KAFKA_SASL_USERNAME", s.path("username").asText());
                    wantRefs.put("MXGATE_KAFKA_SASL_PASSWORD", List.of(secret, s.path("passwordKey").asText()));
                } else {
                    wantRefs.put("MXGATE_KAFKA_SASL_JAAS_CONFIG", List.of(secret, s.path("jaasConfigKey").asText()));
                }
            }
            if (kafka && tls) {
                if (!t.path("caSecret").asText().isEmpty()) {
                    wantValues.put("MXGATE_KAFKA_SSL_TRUSTSTORE_LOCATION", "/etc/mxgate/kafka/ca/" + t.path("caKey").asText());
                    wantValues.put("MXGATE_KAFKA_SSL_TRUSTSTORE_TYPE", t.path("caType").asText());
                    wantMounts.put("/etc/mxgate/kafka/ca", t.path("caSecret").asText());
                    if (!t.path("caPasswordKey").asText().isEmpty()) {
                        wantRefs.put("MXGATE_KAFKA_SSL_TRUSTSTORE_PASSWORD",
                                List.of(t.path("caSecret").asText(), t.path("caPasswordKey").asText()));
                    }
                }
                if (!t.path("keystoreSecret").asText().isEmpty()) {
                    wantValues.put("MXGATE_KAFKA_SSL_KEYSTORE_LOCATION", "/etc/mxgate/kafka/user/" + t.path("keystoreKey").asText());
                    wantValues.put("MXGATE_KAFKA_SSL_KEYSTORE_TYPE", t.path("keystoreType").asText());
                    wantMounts.put("/etc/mxgate/kafka/user", t.path("keystoreSecret").asText());
                    if (!t.path("keystorePasswordKey").asText().isEmpty()) {
                        wantRefs.put("MXGATE_KAFKA_SSL_KEYSTORE_PASSWORD",
                                List.of(t.path("keystoreSecret").asText(), t.path("keystorePasswordKey").asText()));
                    }
                }
                if (!t.path("checkHostname").asBoolean()) {
                    wantValues.put("MXGATE_KAFKA_SSL_ENDPOINT_IDENTIFICATION_ALGORITHM", "none");
                }
            }
            assertEquals(wantValues, values, where + ": Kafka security env values");
            assertEquals(wantRefs, refs, where + ": Kafka security env from Secrets");
            Map<String, String> mounts = new java.util.TreeMap<>();
            for (VolumeMount m : container(d).getVolumeMounts()) {
                if (m.getMountPath().startsWith("/etc/mxgate/kafka")) {
                    assertEquals(Boolean.TRUE, m.getReadOnly(), where + ": " + m.getMountPath());
                    assertNull(m.getSubPath(), where);
                    mounts.put(m.getMountPath(), volume(d, m.getName()).getSecret().getSecretName());
                }
            }
            assertEquals(wantMounts, mounts, where + ": Kafka CA and keystore mounts");
        });
    }

    /**
     * The other shapes of kafka.security, rendered inline: a Strimzi JAAS line instead of the password, the CA as
     * PKCS12 with its password, a TLS user's keystore, host name checking off; and a SASL protocol without the
     * Secret, or without a mechanism, fails rendering.
     */
    @Test
    void kafkaSecurityVariantsRenderAndIncompleteOnesFail() throws IOException {
        Path values = Files.createTempFile("mxgate-kafka-security", ".yaml");
        try {
            String variant = """
                    kafka:
                      security:
                        protocol: SASL_SSL
                        sasl: {mechanism: SCRAM-SHA-512, existingSecret: mxgate, jaasConfigKey: sasl.jaas.config}
                        tls:
                          caSecret: mxgate-cluster-ca-cert
                          caKey: ca.p12
                          caType: PKCS12
                          caPasswordKey: ca.password
                          keystoreSecret: mxgate-tls
                          checkHostname: false
                    """;
            Files.writeString(values, variant);
            String text = new Helm(CHART).template().withName(RELEASE).withValuesFile(values).call();
            Rendered r = new Rendered("kafka security variant", mergedValues(values), text, parse("variant", text));
            assertKafkaSecurity(r.values().path("kafka").path("security"), r.deployments(), r.name());
            assertTrue(text.contains("key: \"sasl.jaas.config\""), text);
            for (String broken : List.of(
                    "kafka:\n  security:\n    protocol: SASL_SSL\n    sasl: {mechanism: SCRAM-SHA-512, username: u}\n",
                    "kafka:\n  security:\n    protocol: SASL_PLAINTEXT\n    sasl: {username: u, existingSecret: u}\n")) {
                Files.writeString(values, broken);
                TemplateCommand template = new Helm(CHART).template().withName(RELEASE).withValuesFile(values);
                IllegalStateException e = assertThrows(IllegalStateException.class, template::call, broken);
                assertTrue(e.getMessage().contains("kafka.security.sasl."), e.getMessage());
            }
        } finally {
            Files.deleteIfExists(values);
        }
    }

    /** A password inline in sqlTables fails rendering: it would be in a ConfigMap. */
    @Test
    void anInlineSqlPasswordFailsRendering() throws IOException {
        Path values = Files.createTempFile("mxgate-sql-password", ".yaml");
        try {
            Files.writeString(values, "sqlTables:\n  a.cf:\n    parameters:\n      user: postfix\n      password: secret\n");
            TemplateCommand template = new Helm(CHART).template().withName(RELEASE).withValuesFile(values);
            assertThrows(IllegalStateException.class, template::call);
        } finally {
            Files.deleteIfExists(values);
        }
    }

    /**
     * proxyProtocol without proxyTrustedNetworks fails rendering: the PROXY listener would believe a header from
     * any peer that reaches the port, and smtp-ingress would refuse to start anyway.
     */
    @Test
    void proxyProtocolWithoutTrustedNetworksFailsRendering() throws IOException {
        Path values = Files.createTempFile("mxgate-proxy-trust", ".yaml");
        try {
            Files.writeString(values, "smtpIngress:\n  service:\n    proxyProtocol: true\n");
            TemplateCommand template = new Helm(CHART).template().withName(RELEASE).withValuesFile(values);
            IllegalStateException e = assertThrows(IllegalStateException.class, template::call);
            assertTrue(e.getMessage().contains("smtpIngress.service.proxyTrustedNetworks: name the networks the load "
                    + "balancer connects from"), e.getMessage());
            Files.writeString(values, "smtpIngress:\n  service:\n    proxyProtocol: true\n"
                    + "    proxyTrustedNetworks: [10.0.0.0/16, 10.1.0.0/16]\n");
            assertTrue(template.call().contains("value: \"10.0.0.0/16, 10.1.0.0/16\""));
        } finally {
            Files.deleteIfExists(values);
        }
    }

    /** The scenarios the chart promises exist, and each exercises what its name says. */
    @Test
    void scenariosCoverTheChartsFeatures() {
        assertEquals(List.of(DEFAULTS, "default-values.yaml", "ha-values.yaml", "kafka-sasl-ssl-values.yaml",
                "metrics-values.yaml", "networkpolicy-values.yaml", "podman-values.yaml", "proxy-protocol-tls-values.yaml",
                "redis-tls-values.yaml", "sql-tables-values.yaml"), scenarioNames());
        // one machine under podman: the host's network, 127.0.0.1 only, an http port per service
        Rendered podman = rendered("podman-values.yaml");
        Set<Integer> httpPorts = new TreeSet<>();
        podman.deployments().forEach((key, d) -> {
            assertEquals(Boolean.TRUE, d.getSpec().getTemplate().getSpec().getHostNetwork(), key);
            assertEquals("127.0.0.1", env(container(d)).get("QUARKUS_HTTP_HOST"), key);
            httpPorts.add(Integer.valueOf(env(container(d)).get("QUARKUS_HTTP_PORT")));
        });
        assertEquals(Set.of(18080, 18081, 18082, 18083), httpPorts, "the ports of ./mxgate up");
        assertEquals("127.0.0.1", env(container(podman.deployments().get("smtpIngress"))).get("MXGATE_INET_INTERFACES"));
        assertTrue(rendered("redis-tls-values.yaml").text().contains("MXGATE_REDIS_PASSWORD"));
        assertTrue(rendered("redis-tls-values.yaml").text().contains("MXGATE_REDIS_TLS_CA_FILE"));
        assertTrue(rendered("ha-values.yaml").all(HorizontalPodAutoscaler.class).size() >= 1);
        assertEquals(4, rendered("ha-values.yaml").all(PodDisruptionBudget.class).size());
        assertEquals(0, rendered("default-values.yaml").all(PodDisruptionBudget.class).size());
        assertEquals(4, rendered("networkpolicy-values.yaml").all(NetworkPolicy.class).size());
        assertEquals(0, rendered("networkpolicy-values.yaml").all(ServiceMonitor.class).size(),
                "serviceMonitor.enabled alone creates none");
        assertEquals(4, rendered("metrics-values.yaml").all(ServiceMonitor.class).size());
        assertEquals(0, rendered("ha-values.yaml").all(ServiceMonitor.class).size(), "metrics.enabled alone creates none");
        Rendered proxy = rendered("proxy-protocol-tls-values.yaml");
        Service smtp = proxy.named(Service.class, RELEASE + "-smtp-ingress").orElseThrow();
        assertEquals("*", smtp.getMetadata().getAnnotations().get("service.beta.kubernetes.io/aws-load-balancer-proxy-protocol"));
        assertEquals("smtp-proxy", smtp.getSpec().getPorts().get(0).getTargetPort().getStrVal());
        assertTrue(rendered("sql-tables-values.yaml").named(ConfigMap.class, RELEASE + "-sql-tables").isPresent());
        assertEquals(4, proxy.all(NetworkPolicy.class).size(), "the PROXY port's NetworkPolicy rule is rendered");
        Deployment sasl = rendered("kafka-sasl-ssl-values.yaml").deployments().get("lmtpDelivery");
        assertTrue(container(sasl).getEnv().stream().anyMatch(e -> e.getName().equals("MXGATE_KAFKA_SASL_PASSWORD")
                && e.getValueFrom().getSecretKeyRef().getName().equals("mxgate")), "SASL password from the KafkaUser Secret");
    }

    static List<String> scenarioNames() {
        try {
            return scenarios().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // --- generated files -------------------------------------------------------------------------------------

    /** k8s/mxgate.yaml is the chart rendered with its defaults (k8s/render.sh): stale manifests fail. */
    @Test
    void renderedManifestsAreFresh() throws IOException {
        String out = new Helm(CHART).template().withName(RELEASE).call();
        String expected = "# Generated by k8s/render.sh from helm/mxgate with its default values (release name mxgate): do not edit.\n"
                + (out.endsWith("\n") ? out : out + "\n");
        String actual = Files.readString(ROOT.resolve("k8s/mxgate.yaml"));
        assertEquals(expected, actual, "k8s/mxgate.yaml is stale: run k8s/render.sh");
        assertFalse(parse("k8s/mxgate.yaml", actual).isEmpty());
    }

    /** helm/mxgate/README.md is what k8s/chart-readme.py makes of values.yaml (which also checks every `# --`). */
    @Test
    void chartReadmeIsFresh() throws Exception {
        assumeTrue(onPath("python3"), "python3 is not installed");
        Process p = new ProcessBuilder("python3", "k8s/chart-readme.py", "--check").directory(ROOT.toFile())
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "chart-readme.py hangs");
        assertEquals(0, p.exitValue(), output);
    }

    /** The dashboard shows received, delivered, deferred, bounced, rejected, verify hit rate and Kafka lag. */
    @Test
    void dashboardUsesTheServicesMetricNames() throws IOException {
        assertDashboard(Files.readString(CHART.resolve("dashboards/mxgate.json")));
    }

    static void assertDashboard(String json) {
        try {
            JsonNode dashboard = JSON.readTree(json);
            List<String> exprs = dashboard.findValuesAsText("expr");
            String all = String.join("\n", exprs);
            for (String needed : List.of("mxgate_smtpd_messages_total{result=\"queued\"",
                    "mxgate_delivery_recipients_total{status=\"sent\"", "mxgate_delivery_recipients_total{status=\"deferred\"",
                    "mxgate_delivery_recipients_total{status=\"bounced\"", "mxgate_smtpd_rejects_total",
                    "mxgate_smtpd_sessions", "mxgate_verify_queries_total{cache=\"hit\"", "mxgate_verify_probes_total",
                    "records_lag")) {
                assertTrue(all.contains(needed), "the dashboard has no " + needed);
            }
            assertEquals("mxgate", dashboard.path("uid").asText());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // --- helpers ---------------------------------------------------------------------------------------------

    static Container container(Deployment d) {
        List<Container> containers = d.getSpec().getTemplate().getSpec().getContainers();
        assertEquals(1, containers.size(), d.getMetadata().getName());
        return containers.get(0);
    }

    static Volume volume(Deployment d, String name) {
        return d.getSpec().getTemplate().getSpec().getVolumes().stream().filter(v -> v.getName().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError(d.getMetadata().getName() + ": no volume " + name));
    }

    static Map<String, String> env(Container c) {
        Map<String, String> env = new HashMap<>();
        c.getEnv().stream().filter(e -> e.getValue() != null).forEach(e -> env.put(e.getName(), e.getValue()));
        return env;
    }

    static Map<String, String> orderedMap(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    static Path root() {
        String property = System.getProperty("mxgate.root");
        Path dir = Path.of(property != null ? property : System.getProperty("user.dir")).toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("helm/mxgate"))) {
                return p;
            }
        }
        throw new IllegalStateException("no helm/mxgate above " + dir);
    }

    static boolean onPath(String command) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
                .anyMatch(d -> Files.isExecutable(Path.of(d, command)));
    }

    static Path tempDir(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    static void delete(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

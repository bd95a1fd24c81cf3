package io.videoevents.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * The manifests {@code quarkus-kubernetes} generated at package time (with the fragments of
 * src/main/kubernetes merged in) carry what a WebSocket service needs in a cluster, and its alert rules.
 */
class KubernetesManifestIT {

    static List<JsonNode> resources = new ArrayList<>();
    /** The relay role's manifest (nats mode), applied beside the generated ones when switching. */
    static List<JsonNode> relayResources = new ArrayList<>();

    @BeforeAll
    static void read() throws IOException {
        resources = documents(new File("target/kubernetes/kubernetes.yml"));
        relayResources = documents(new File("src/main/kubernetes/relay.yml"));
    }

    static List<JsonNode> documents(File manifest) throws IOException {
        assertThat(manifest).exists();
        List<JsonNode> read = new ArrayList<>();
        try (var documents = new YAMLMapper().readerFor(JsonNode.class).readValues(manifest)) {
            while (documents.hasNext()) {
                read.add((JsonNode) documents.next());
            }
        }
        return read;
    }

    static JsonNode only(String kind) {
        return only(resources, kind);
    }

    static JsonNode only(List<JsonNode> in, String kind) {
        List<JsonNode> found = in.stream().filter(r -> kind.equals(r.path("kind").asText())).toList();
        assertThat(found).as(kind).hasSize(1);
        return found.get(0);
    }

    static JsonNode container() {
        return only("Deployment").at("/spec/template/spec/containers/0");
    }

    @Test
    void probesPointAtTheHealthEndpoints() {
        assertThat(container().at("/readinessProbe/httpGet/path").asText()).isEqualTo("/q/health/ready");
        assertThat(container().at("/livenessProbe/httpGet/path").asText()).isEqualTo("/q/health/live");
        assertThat(container().at("/startupProbe/httpGet/path").asText()).isEqualTo("/q/health/started");
        assertThat(container().at("/readinessProbe/periodSeconds").asInt()).isLessThanOrEqualTo(5);
    }

    @Test
    void portsAndServiceMatch() {
        assertThat(container().at("/ports/0/containerPort").asInt()).isEqualTo(8080);
        assertThat(container().at("/ports/0/name").asText()).isEqualTo("http");
        JsonNode service = only("Service");
        assertThat(service.at("/spec/ports/0/name").asText()).isEqualTo("http");
        assertThat(service.at("/spec/ports/0/targetPort").asInt()).isEqualTo(8080);
    }

    @Test
    void databaseAndKeysComeFromSecrets() {
        List<String> secrets = new ArrayList<>();
        container().path("envFrom").forEach(source -> secrets.add(source.at("/secretRef/name").asText()));
        assertThat(secrets).contains("video-events-db", "video-events-auth");
        assertThat(container().at("/resources/requests/memory").asText()).isNotBlank();
        assertThat(container().at("/resources/limits/memory").asText()).isNotBlank();
        assertThat(only("Deployment").at("/spec/replicas").asInt()).isGreaterThanOrEqualTo(2);
        assertThat(resources).noneMatch(r -> "Job".equals(r.path("kind").asText()));
    }

    @Test
    void terminationGraceCoversTheDrain() {
        // drain window 10 s + shutdown timeout 5 s, with room to spare
        assertThat(only("Deployment").at("/spec/template/spec/terminationGracePeriodSeconds").asInt()).isGreaterThanOrEqualTo(20);
    }

    @Test
    void ingressKeepsSocketsOpenAndUnbuffered() {
        JsonNode ingress = only("Ingress");
        JsonNode annotations = ingress.at("/metadata/annotations");
        // well above the 25 s ping interval, or the proxy cuts quiet sockets
        assertThat(annotations.path("nginx.ingress.kubernetes.io/proxy-read-timeout").asInt()).isGreaterThan(60);
        assertThat(annotations.path("nginx.ingress.kubernetes.io/proxy-send-timeout").asInt()).isGreaterThan(60);
        assertThat(annotations.path("nginx.ingress.kubernetes.io/proxy-buffering").asText()).isEqualTo("off");
        assertThat(ingress.at("/spec/rules/0/http/paths/0/backend/service/name").asText()).isEqualTo("video-events");
    }

    @Test
    void disruptionBudgetSelectsThePods() {
        JsonNode budget = only("PodDisruptionBudget");
        String selected = budget.at("/spec/selector/matchLabels/app.kubernetes.io~1name").asText();
        assertThat(selected).isEqualTo("video-events");
        assertThat(only("Deployment").at("/spec/template/metadata/labels/app.kubernetes.io~1name").asText()).isEqualTo(selected);
        assertThat(budget.at("/spec/maxUnavailable").asInt()).isEqualTo(1);
    }

    @Test
    void alertRulesComeWithTheManifests() throws IOException {
        // the Prometheus Operator's resource, merged from src/main/kubernetes, with the groups of the plain rule file
        JsonNode rule = AlertRulesTest.prometheusRule(resources);
        assertThat(rule.path("spec")).isEqualTo(new YAMLMapper().readTree(AlertRulesTest.RULES.toFile()));
        assertThat(rule.at("/metadata/labels/app.kubernetes.io~1name").asText()).isEqualTo("video-events");
        // and the ServiceMonitor quarkus-kubernetes generates scrapes the endpoint the rules read
        assertThat(only("ServiceMonitor").at("/spec/endpoints/0/path").asText()).isEqualTo("/q/metrics");
    }

    @Test
    void theRelaysRunTheSameImageInTheRelayRoleOutsideTheServiceAndTheDefaultHasNone() {
        // the generated manifests stay LISTEN mode: one Deployment, no relay
        assertThat(resources).noneMatch(r -> r.at("/metadata/name").asText().contains("relay"));
        JsonNode relays = only(relayResources, "Deployment");
        JsonNode relay = relays.at("/spec/template/spec/containers/0");
        assertThat(relays.at("/spec/replicas").asInt()).as("two relays, both active").isEqualTo(2);
        assertThat(relay.at("/image").asText()).isEqualTo(container().at("/image").asText());
        java.util.Map<String, String> env = new java.util.HashMap<>();
        relay.path("env").forEach(e -> env.put(e.path("name").asText(), e.path("value").asText()));
        assertThat(env).containsEntry("VIDEO_EVENTS_FANOUT_MODE", "nats").containsEntry("VIDEO_EVENTS_FANOUT_ROLE", "relay")
                .containsKey("VIDEO_EVENTS_FANOUT_NATS_URL");
        List<String> secrets = new ArrayList<>();
        relay.path("envFrom").forEach(source -> secrets.add(source.at("/secretRef/name").asText()));
        assertThat(secrets).containsExactlyInAnyOrderElementsOf(
                container().findValues("secretRef").stream().map(r -> r.path("name").asText()).toList());
        assertThat(relay.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/q/health/ready");
        assertThat(relay.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/q/health/live");
        assertThat(relay.at("/startupProbe/httpGet/path").asText()).isEqualTo("/q/health/started");

        // no client socket lands on a relay: neither the Service nor the replicas' budget selects its pods
        JsonNode labels = relays.at("/spec/template/metadata/labels");
        JsonNode serviceSelector = only("Service").at("/spec/selector");
        assertThat(selects(serviceSelector, labels)).as("the Service selects relay pods").isFalse();
        assertThat(selects(only("PodDisruptionBudget").at("/spec/selector/matchLabels"), labels)).isFalse();
        JsonNode budget = only(relayResources, "PodDisruptionBudget");
        assertThat(selects(budget.at("/spec/selector/matchLabels"), labels)).isTrue();
        assertThat(selects(relays.at("/spec/selector/matchLabels"), labels)).isTrue();
        assertThat(budget.at("/spec/maxUnavailable").asInt()).isEqualTo(1);
    }

    /** Whether a label selector (matchLabels) selects pods with these labels. */
    static boolean selects(JsonNode selector, JsonNode labels) {
        assertThat(selector.size()).as("a selector with labels").isPositive();
        var fields = selector.fields();
        while (fields.hasNext()) {
            var entry = fields.next();
            if (!entry.getValue().asText().equals(labels.path(entry.getKey()).asText(null))) {
                return false;
            }
        }
        return true;
    }
}

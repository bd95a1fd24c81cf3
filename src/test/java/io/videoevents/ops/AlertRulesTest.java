package io.videoevents.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import io.videoevents.support.Promtool;

/**
 * The alert rules are valid, pass their unit tests ({@code promtool test rules}), exist once (the
 * PrometheusRule for Kubernetes carries exactly the groups of the plain rule file), and each alert has a test
 * in which it fires and a runbook entry in docs/operations.md.
 *
 * <p>promtool comes from Debian's prometheus package ({@link Promtool}); without it this test fails.
 */
class AlertRulesTest {

    static final Path RULES = Path.of("src/main/observability/prometheus/video-events.rules.yml");
    static final Path RULE_TESTS = Path.of("src/test/observability/video-events.rules.test.yml");
    static final Path KUBERNETES = Path.of("src/main/kubernetes/kubernetes.yml");
    static final Path RUNBOOK = Path.of("docs/operations.md");

    static final YAMLMapper YAML = new YAMLMapper();

    @Test
    void promtoolFindsTheRulesValid() {
        Promtool.run("check", "rules", RULES.toString());
    }

    @Test
    void promtoolUnitTestsPass() {
        Promtool.run("test", "rules", RULE_TESTS.toString());
    }

    /**
     * The unit tests can fail: with any one alert's expression replaced by one that never fires, {@code promtool test
     * rules} exits with an error that names that alert. The copies keep the layout the test file's {@code rule_files}
     * path expects.
     */
    @Test
    void breakingAnyAlertMakesItsUnitTestFail(@TempDir Path scratch) throws IOException {
        Path rules = scratch.resolve("main/observability/prometheus/video-events.rules.yml");
        Path tests = scratch.resolve("test/observability/video-events.rules.test.yml");
        Files.createDirectories(rules.getParent());
        Files.createDirectories(tests.getParent());
        Files.copy(RULE_TESTS, tests);
        for (String alert : alerts()) {
            JsonNode broken = YAML.readTree(RULES.toFile());
            for (JsonNode group : broken.path("groups")) {
                for (JsonNode rule : group.path("rules")) {
                    if (alert.equals(rule.path("alert").asText())) {
                        ((ObjectNode) rule).put("expr", "vector(0) > 1");
                    }
                }
            }
            YAML.writeValue(rules.toFile(), broken);
            assertThatThrownBy(() -> Promtool.run("test", "rules", tests.toString()))
                    .as("promtool test rules with %s never firing", alert)
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("exited with")
                    .hasMessageContaining(alert);
        }
    }

    @Test
    void thePrometheusRuleForKubernetesHasTheSameGroups() throws IOException {
        JsonNode rule = prometheusRule(documents(KUBERNETES));
        assertThat(rule.path("spec"))
                .as("spec of the PrometheusRule in %s must equal %s: change both", KUBERNETES, RULES)
                .isEqualTo(YAML.readTree(RULES.toFile()));
    }

    @Test
    void everyAlertFiresInATestAndHasARunbookEntry() throws IOException {
        Set<String> testedFiring = new HashSet<>();
        for (JsonNode test : YAML.readTree(RULE_TESTS.toFile()).path("tests")) {
            for (JsonNode check : test.path("alert_rule_test")) {
                if (!check.path("exp_alerts").isEmpty()) {
                    testedFiring.add(check.path("alertname").asText());
                }
            }
        }
        List<String> headings = Files.readAllLines(RUNBOOK, StandardCharsets.UTF_8);
        List<String> alerts = alerts();
        assertThat(alerts).isNotEmpty();
        for (JsonNode rule : YAML.readTree(RULES.toFile()).at("/groups/0/rules")) {
            String name = rule.path("alert").asText();
            assertThat(testedFiring).as("a test in %s in which %s fires", RULE_TESTS, name).contains(name);
            assertThat(rule.at("/annotations/runbook").asText()).as(name)
                    .isEqualTo(RUNBOOK + "#" + name.toLowerCase(Locale.ROOT));
            assertThat(headings).as("a section '### %s' in %s", name, RUNBOOK).contains("### " + name);
            assertThat(rule.at("/labels/severity").asText()).as(name).isIn("warning", "critical");
        }
    }

    /** The names of the alerts of the rule file, once each. */
    static List<String> alerts() throws IOException {
        List<String> names = new ArrayList<>();
        for (JsonNode group : YAML.readTree(RULES.toFile()).path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                String name = rule.path("alert").asText();
                if (!names.contains(name)) {
                    names.add(name);
                }
            }
        }
        return names;
    }

    /** Every expression of the rule file, for the test that checks the series they name. */
    static List<String> expressions() throws IOException {
        List<String> expressions = new ArrayList<>();
        for (JsonNode group : YAML.readTree(RULES.toFile()).path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                expressions.add(rule.path("expr").asText());
            }
        }
        return expressions;
    }

    static List<JsonNode> documents(Path file) throws IOException {
        List<JsonNode> documents = new ArrayList<>();
        try (var values = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
            while (values.hasNext()) {
                documents.add((JsonNode) values.next());
            }
        }
        return documents;
    }

    static JsonNode prometheusRule(List<JsonNode> resources) {
        List<JsonNode> found = resources.stream().filter(r -> "PrometheusRule".equals(r.path("kind").asText())).toList();
        assertThat(found).as("PrometheusRule").hasSize(1);
        assertThat(found.get(0).path("apiVersion").asText()).isEqualTo("monitoring.coreos.com/v1");
        return found.get(0);
    }
}

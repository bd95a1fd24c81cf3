package io.videoevents.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import io.videoevents.support.Promtool;

/**
 * The Grafana dashboard loads without edits anywhere (data source, namespace, job and instance are variables),
 * every query in it is valid PromQL (promtool checks them as recording rules), and its provisioning file loads it.
 * Which series the queries read is checked against the running service in {@link ObservabilitySeriesTest}.
 */
class DashboardTest {

    static final Path DASHBOARD = Path.of("src/main/observability/grafana/video-events.json");
    static final Path PROVISIONING = Path.of("src/main/observability/grafana/provisioning/dashboards/video-events.yaml");

    static JsonNode dashboard() throws IOException {
        return new ObjectMapper().readTree(DASHBOARD.toFile());
    }

    /** Every panel, rows and the panels inside collapsed rows included. */
    static List<JsonNode> panels(JsonNode dashboard) {
        List<JsonNode> panels = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            panels.add(panel);
            panel.path("panels").forEach(panels::add);
        }
        return panels;
    }

    /** Every query of the dashboard, by where it is (panel title and query, or variable), in order. */
    static Map<String, String> queries(JsonNode dashboard) {
        Map<String, String> queries = new LinkedHashMap<>();
        for (JsonNode panel : panels(dashboard)) {
            for (JsonNode target : panel.path("targets")) {
                queries.put("panel '" + panel.path("title").asText() + "' " + target.path("refId").asText(), target.path("expr").asText());
            }
        }
        return queries;
    }

    /** The queries of the dashboard's variables (label_values and the like), by variable. */
    static Map<String, String> variableQueries(JsonNode dashboard) {
        Map<String, String> queries = new LinkedHashMap<>();
        for (JsonNode variable : dashboard.at("/templating/list")) {
            if ("query".equals(variable.path("type").asText())) {
                JsonNode query = variable.path("query");
                queries.put("variable $" + variable.path("name").asText(), query.isObject() ? query.path("query").asText() : query.asText());
            }
        }
        return queries;
    }

    @Test
    void everyPanelQueriesTheChosenPrometheus() throws IOException {
        JsonNode dashboard = dashboard();
        assertThat(dashboard.path("uid").asText()).isEqualTo("video-events");
        JsonNode datasource = dashboard.at("/templating/list/0");
        assertThat(datasource.path("type").asText()).isEqualTo("datasource");
        assertThat(datasource.path("query").asText()).isEqualTo("prometheus");
        Set<Integer> ids = new HashSet<>();
        for (JsonNode panel : panels(dashboard)) {
            assertThat(ids.add(panel.path("id").asInt())).as("unique id of panel '%s'", panel.path("title").asText()).isTrue();
            if (!"row".equals(panel.path("type").asText())) {
                assertThat(panel.at("/datasource/uid").asText()).as(panel.path("title").asText()).isEqualTo("${datasource}");
                assertThat(panel.path("targets")).as(panel.path("title").asText()).isNotEmpty();
                panel.path("targets").forEach(target -> assertThat(target.path("expr").asText()).isNotBlank());
            }
        }
        assertThat(queries(dashboard)).hasSizeGreaterThan(30);
        assertThat(variableQueries(dashboard)).containsOnlyKeys("variable $namespace", "variable $job", "variable $instance");
    }

    @Test
    void everyQueryIsValidPromQl(@TempDir Path scratch) throws IOException {
        // promtool has no parse-only command for one expression: it checks them as recording rules, with Grafana's
        // variables replaced by what Grafana sends for "All"
        StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        int n = 0;
        for (String expression : queries(dashboard()).values()) {
            String promQl = expression.replace("$__rate_interval", "1m")
                    .replace("$namespace", ".*").replace("$job", ".*").replace("$instance", ".*");
            assertThat(promQl).as(expression).doesNotContain("$");
            rules.append("      - record: dashboard:query").append(n++).append('\n')
                    .append("        expr: ").append(new ObjectMapper().writeValueAsString(promQl)).append('\n');
        }
        Path file = scratch.resolve("dashboard-queries.yml");
        Files.writeString(file, rules, StandardCharsets.UTF_8);
        assertThat(Promtool.run("check", "rules", file.toString())).contains("SUCCESS: " + n + " rules found");
    }

    @Test
    void theProvisioningFileLoadsTheDashboardsOfAFolder() throws IOException {
        JsonNode provider = new YAMLMapper().readTree(PROVISIONING.toFile()).at("/providers/0");
        assertThat(provider.path("type").asText()).isEqualTo("file");
        assertThat(provider.at("/options/path").asText()).startsWith("/");
    }
}

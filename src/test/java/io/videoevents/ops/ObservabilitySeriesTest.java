package io.videoevents.ops;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.videoevents.support.Ids;
import io.videoevents.support.Metrics;
import io.videoevents.support.PromQl;
import io.videoevents.support.TestSocket;
import io.videoevents.support.WorkerSql;

/**
 * Every series a dashboard query, a dashboard variable or an alert rule reads is one this service exports, under
 * the name Prometheus scrapes (with {@code _total}, {@code _bucket}, {@code _seconds} …): a renamed metric, or a
 * typo in a query, fails here instead of showing an empty panel or an alert that can never fire.
 */
@QuarkusTest
public class ObservabilitySeriesTest {

    /**
     * Series the dashboard or the rules read that other exporters provide, each with its source. Nothing else may be
     * missing from /q/metrics.
     */
    static final Map<String, String> FROM_ELSEWHERE = Map.of(
            // the kubelet's readiness of each pod, as kube-state-metrics exports it: VideoEventsReplicaNotReady
            "kube_pod_status_ready", "kube-state-metrics",
            // each pod's phase, so an evicted pod (never ready again) is no alert
            "kube_pod_status_phase", "kube-state-metrics");

    /**
     * Series the dashboard and the rules read that exist only in {@code nats} mode, each with the role that exports it. This test runs in
     * the default mode and skips them; {@code RelayTierIT} checks that the packaged relays and replicas export them.
     */
    public static final Map<String, String> NATS_MODE = Map.of(
            "video_events_relays_listening", "replica",
            "video_events_relay_heartbeats_refused_total", "replica",
            "video_events_nats_connected", "replica",
            "video_events_relay_published_total", "relay",
            "video_events_relay_unpublished_total", "relay");

    @TestHTTPResource("/")
    URI base;

    @Test
    void everySeriesTheDashboardAndTheRulesReadIsExported() throws IOException {
        Map<String, Set<String>> readBy = new TreeMap<>();
        JsonNode dashboard = DashboardTest.dashboard();
        DashboardTest.queries(dashboard).forEach((where, query) -> PromQl.seriesNames(query)
                .forEach(name -> readBy.computeIfAbsent(name, n -> new TreeSet<>()).add("dashboard " + where)));
        DashboardTest.variableQueries(dashboard).forEach((where, query) -> PromQl.variableSeriesNames(query)
                .forEach(name -> readBy.computeIfAbsent(name, n -> new TreeSet<>()).add("dashboard " + where)));
        for (String expression : AlertRulesTest.expressions()) {
            PromQl.seriesNames(expression).forEach(name -> readBy.computeIfAbsent(name, n -> new TreeSet<>())
                    .add("rule " + expression.lines().findFirst().orElse(expression)));
        }
        // the contract's series and the retention job's are all read somewhere
        assertThat(readBy).containsKeys("video_events_connections", "video_events_subscriptions", "video_events_delivered_total",
                "video_events_delivery_seconds_bucket", "video_events_listener_up", "video_events_listener_reconnects_total",
                "video_events_backfilled_total", "video_events_slow_client_closes_total", "video_events_notify_queue_usage",
                "video_events_notifications_total", "video_events_retention_last_success_timestamp_seconds");

        Set<String> exported = exportedOnceInUse();
        assertThat(readBy).containsKeys(NATS_MODE.keySet().toArray(String[]::new));
        for (Map.Entry<String, Set<String>> series : readBy.entrySet()) {
            if (!FROM_ELSEWHERE.containsKey(series.getKey()) && !NATS_MODE.containsKey(series.getKey())) {
                assertThat(exported).as("%s, read by %s, is not in /q/metrics", series.getKey(), series.getValue())
                        .contains(series.getKey());
            }
        }
        // the list of outside series holds only what is read, and nothing the service exports itself
        assertThat(readBy).containsKeys(FROM_ELSEWHERE.keySet().toArray(String[]::new));
        assertThat(exported).doesNotContainAnyElementsOf(FROM_ELSEWHERE.keySet());
    }

    /**
     * What /q/metrics exports once the service has done what creates the series that appear on first use: a
     * subscription has read the database, a live event was delivered, a REST request was answered, and the JVM has
     * collected once.
     */
    private Set<String> exportedOnceInUse() {
        String id = Ids.fresh("series");
        try (WorkerSql worker = WorkerSql.connect(); TestSocket socket = TestSocket.open(base, "/events")) {
            worker.insertVideo(id);
            socket.subscribe(id);
            worker.setStatus(id, "processing");
            socket.next("status");
        }
        given().when().get("/videos/" + id).then().statusCode(200);
        System.gc();
        await().atMost(TestSocket.WAIT).until(() -> Metrics.names().contains("jvm_gc_pause_seconds_count"));
        return Metrics.names();
    }
}

package io.videoevents.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.videoevents.support.Ids;
import io.videoevents.support.Metrics;
import io.videoevents.support.TestSocket;
import io.videoevents.support.WorkerSql;

/**
 * Every series of the contract's metrics section is exported, and each moves with the traffic it
 * counts: one socket, one subscription, one change, one delivery. The series for faults (listener
 * reconnects and backfill, slow-client closes) stay put through healthy traffic here; the tests that
 * cause those faults check that they count them ({@code LosslessDeliveryTest}, {@code SlowClientTest}).
 */
@QuarkusTest
class MetricsTest {

    static final String[] COUNTERS = { "video_events_notifications_total", "video_events_delivered_total",
            "video_events_listener_reconnects_total", "video_events_backfilled_total",
            "video_events_slow_client_closes_total" };
    static final String[] GAUGES = { "video_events_connections", "video_events_subscriptions",
            "video_events_listener_up", "video_events_notify_queue_usage" };

    @TestHTTPResource("/")
    URI base;

    private static Map<String, Double> values(String... series) {
        return Stream.of(series).collect(Collectors.toMap(Function.identity(), name -> Metrics.value(name).orElseThrow()));
    }

    @Test
    void everyContractSeriesIsExportedWithItsType() {
        for (String counter : COUNTERS) {
            // the exposition format declares a counter under its name without the _total of its samples
            assertThat(Metrics.declared(counter.substring(0, counter.length() - "_total".length()), "counter"))
                    .as(counter).isTrue();
        }
        for (String gauge : GAUGES) {
            assertThat(Metrics.declared(gauge, "gauge")).as(gauge).isTrue();
        }
        assertThat(Metrics.declared("video_events_delivery_seconds", "histogram")).isTrue();
        // WebSockets Next's own per-message series are off on purpose (a tagged meter id per frame sent)
        assertThat(Metrics.value("quarkus_websockets_server_connections_opened_total")).isEmpty();
    }

    @Test
    void eachSeriesCountsWhatItSays() {
        String id = Ids.fresh("metrics");
        await().atMost(TestSocket.WAIT).until(() -> Metrics.value("video_events_connections").orElseThrow() == 0);
        Map<String, Double> before = values(COUNTERS);
        double deliveriesTimed = Metrics.value("video_events_delivery_seconds_count").orElseThrow();
        double subscriptions = Metrics.value("video_events_subscriptions").orElseThrow();

        try (WorkerSql worker = WorkerSql.connect(); TestSocket socket = TestSocket.open(base, "/events")) {
            // the client has its 101 a moment before the server has registered the socket
            await().atMost(TestSocket.WAIT).until(() -> Metrics.value("video_events_connections").orElseThrow() == 1);
            worker.insertVideo(id);
            socket.subscribe(id);
            assertThat(Metrics.value("video_events_subscriptions").orElseThrow()).isEqualTo(subscriptions + 1);

            worker.setStatus(id, "processing");
            socket.next("status");
            await().atMost(TestSocket.WAIT)
                    .until(() -> Metrics.value("video_events_delivered_total").orElseThrow() == before.get(
                            "video_events_delivered_total") + 1);

            Map<String, Double> after = values(COUNTERS);
            // the row's creation and its change: one notification each
            assertThat(after.get("video_events_notifications_total") - before.get("video_events_notifications_total"))
                    .isEqualTo(2);
            // one status frame to one socket (snapshots are no deliveries)
            assertThat(Metrics.value("video_events_delivery_seconds_count").orElseThrow()).isEqualTo(deliveriesTimed + 1);
            assertThat(Metrics.sample("video_events_delivery_seconds_bucket{le=\"+Inf\"}").orElseThrow())
                    .isEqualTo(deliveriesTimed + 1);
            assertThat(Metrics.value("video_events_delivery_seconds_max").orElseThrow()).isBetween(0.0, 60.0);
            // a healthy listener, a client that reads: nothing to reconnect, backfill or close
            assertThat(Metrics.value("video_events_listener_up").orElseThrow()).isEqualTo(1.0);
            for (String fault : new String[] { "video_events_listener_reconnects_total", "video_events_backfilled_total",
                    "video_events_slow_client_closes_total" }) {
                assertThat(after.get(fault)).as(fault).isEqualTo(before.get(fault));
            }
            assertThat(Metrics.value("video_events_notify_queue_usage").orElseThrow()).isBetween(0.0, 1.0);
        }
        await().atMost(TestSocket.WAIT).until(() -> Metrics.value("video_events_connections").orElseThrow() == 0
                && Metrics.value("video_events_subscriptions").orElseThrow() == subscriptions);
    }
}

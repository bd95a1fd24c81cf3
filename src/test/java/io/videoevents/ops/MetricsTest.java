package io.videoevents.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.videoevents.support.Ids;
import io.videoevents.support.Metrics;
import io.videoevents.support.TestSocket;
import io.videoevents.support.WorkerSql;

/** After real traffic, every series of the contract's metrics section is exported with a plausible value. */
@QuarkusTest
class MetricsTest {

    @TestHTTPResource("/")
    URI base;

    @Test
    void everyContractSeriesIsThereAfterTraffic() {
        String id = Ids.fresh("metrics");
        try (WorkerSql worker = WorkerSql.connect(); TestSocket socket = TestSocket.open(base, "/events")) {
            worker.insertVideo(id);
            socket.send("type", "subscribe", "videoId", id);
            socket.next("subscribed");
            socket.next("snapshot");
            worker.setStatus(id, "processing");
            socket.next("status");
            org.awaitility.Awaitility.await().atMost(TestSocket.WAIT)
                    .until(() -> Metrics.value("video_events_delivered_total").orElse(0) >= 1);

            assertThat(Metrics.value("video_events_connections").orElseThrow()).isGreaterThanOrEqualTo(1);
            assertThat(Metrics.value("video_events_subscriptions").orElseThrow()).isGreaterThanOrEqualTo(1);
            assertThat(Metrics.value("video_events_notifications_total").orElseThrow()).isGreaterThanOrEqualTo(2);
            assertThat(Metrics.value("video_events_delivered_total").orElseThrow()).isGreaterThanOrEqualTo(1);
            assertThat(Metrics.value("video_events_delivery_seconds_count").orElseThrow()).isGreaterThanOrEqualTo(1);
            assertThat(Metrics.value("video_events_delivery_seconds_bucket").orElseThrow()).isGreaterThanOrEqualTo(0);
            assertThat(Metrics.value("video_events_delivery_seconds_max").orElseThrow()).isBetween(0.0, 60.0);
            assertThat(Metrics.value("video_events_listener_up").orElseThrow()).isEqualTo(1.0);
            assertThat(Metrics.value("video_events_listener_reconnects_total").orElseThrow()).isGreaterThanOrEqualTo(0);
            assertThat(Metrics.value("video_events_backfilled_total").orElseThrow()).isGreaterThanOrEqualTo(0);
            assertThat(Metrics.value("video_events_slow_client_closes_total").orElseThrow()).isGreaterThanOrEqualTo(0);
            assertThat(Metrics.value("video_events_notify_queue_usage").orElseThrow()).isBetween(0.0, 1.0);
            // WebSockets Next's own per-message series are off on purpose (a tagged meter id per frame sent)
            assertThat(Metrics.value("quarkus_websockets_server_connections_opened_total")).isEmpty();
        }
    }
}

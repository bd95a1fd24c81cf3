package io.videoevents.ops;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.videoevents.support.Metrics;

/** The notification-queue gauge is sampled from the real server and exported. */
@QuarkusTest
class NotifyQueueMonitorTest {

    @Inject
    NotifyQueueMonitor monitor;

    @Test
    void usageIsSampledAndExported() {
        monitor.sample().await().indefinitely();
        assertThat(monitor.lastSample()).isBetween(0.0, 1.0);
        assertThat(Metrics.value("video_events_notify_queue_usage")).isPresent();
        assertThat(Metrics.value("video_events_notify_queue_usage").getAsDouble()).isBetween(0.0, 1.0);
    }
}

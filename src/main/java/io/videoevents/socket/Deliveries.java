package io.videoevents.socket;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * {@code video_events_delivered_total} and {@code video_events_delivery_seconds}: status frames the
 * network has taken, and for live ones the time from the change's commit (the database's clock, taken
 * in the trigger) to that moment.
 */
final class Deliveries {

    private final Counter delivered;
    private final Timer latency;

    Deliveries(MeterRegistry registry) {
        this.delivered = Counter.builder("video.events.delivered")
                .description("status events written to sockets").register(registry);
        this.latency = Timer.builder("video.events.delivery")
                .description("from the commit of a status change to its frame being written to a socket")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
    }

    /** One event written; {@code occurredAtMillis} > 0 records its latency. */
    void delivered(long occurredAtMillis) {
        delivered.increment();
        if (occurredAtMillis > 0) {
            latency.record(Math.max(0, System.currentTimeMillis() - occurredAtMillis), TimeUnit.MILLISECONDS);
        }
    }
}

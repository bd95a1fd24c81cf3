package io.videoevents.subscription;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * {@code video_events_delivered_total} and {@code video_events_delivery_seconds}: status frames written
 * to sockets, and for live ones the time from the change's commit (the database's clock, taken in the
 * trigger) to the moment they were written, sampled once per event and event loop.
 */
public final class Deliveries {

    private final Counter delivered;
    private final Timer latency;

    public Deliveries(MeterRegistry registry) {
        this(registry, "video.events.delivered", "status events written to sockets", "video.events.delivery",
                "from the commit of a status change to its frame being written to a socket");
    }

    /** The same pair of series under other names (the feed's). */
    public Deliveries(MeterRegistry registry, String countName, String countDescription, String latencyName, String latencyDescription) {
        this.delivered = Counter.builder(countName).description(countDescription).register(registry);
        this.latency = Timer.builder(latencyName)
                .description(latencyDescription)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
    }

    /**
     * {@code count} frames of one event written on one event loop; {@code occurredAtMillis} > 0 records one
     * latency sample for them, taken when the last was written: the histogram counts (event, event loop)
     * pairs, not sockets, so its cost does not grow with the fan-out.
     */
    public void delivered(int count, long occurredAtMillis) {
        delivered.increment(count);
        if (occurredAtMillis > 0) {
            latency.record(Math.max(0, System.currentTimeMillis() - occurredAtMillis), TimeUnit.MILLISECONDS);
        }
    }
}

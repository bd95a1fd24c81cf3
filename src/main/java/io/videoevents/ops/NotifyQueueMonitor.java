package io.videoevents.ops;

import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.videoevents.VideoEventsConfig;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * Samples how full PostgreSQL's notification queue is. It fills when some listener (ours or anyone's)
 * stops reading; when it is full, every notifying commit on the server fails. A warning above the
 * configured share gives operators time to act.
 */
@ApplicationScoped
class NotifyQueueMonitor {

    private final Pool pool;
    private final double warnAbove;
    private final AtomicReference<Double> usage = new AtomicReference<>(0.0);

    NotifyQueueMonitor(Pool pool, VideoEventsConfig config, MeterRegistry registry) {
        this.pool = pool;
        this.warnAbove = config.eventLog().queueUsageWarning();
        Gauge.builder("video.events.notify.queue.usage", usage, AtomicReference::get)
                .description("pg_notification_queue_usage() of the server, 0..1").register(registry);
    }

    @Scheduled(every = "${video-events.event-log.queue-usage-every:15s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> sample() {
        return pool.query("SELECT pg_notification_queue_usage() AS usage").execute()
                .invoke(rows -> {
                    double value = rows.iterator().next().getDouble("usage");
                    usage.set(value);
                    if (value > warnAbove) {
                        Log.warnf("PostgreSQL's notification queue is %.0f%% full: a listener is not reading;"
                                + " notifying commits fail once it is full", value * 100);
                    }
                })
                .onFailure().invoke(failure -> Log.debugf("could not sample the notification queue: %s", failure.getMessage()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    double lastSample() {
        return usage.get();
    }
}

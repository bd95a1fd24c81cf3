package io.videoevents.video;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.Startup;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.videoevents.VideoEventsConfig;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Keeps the event log to the configured retention. Deletes in small batches, each its own short
 * statement, so workers' writes never wait on it; each video's newest event always stays, so the log
 * can tell a resuming client how far back it reaches.
 *
 * <p>A job that fails, or hangs on a lock, lets the log grow without a sound, so it reports itself:
 * {@code video_events_retention_last_success_timestamp_seconds} (when a run last completed, 0 before the
 * first), {@code video_events_retention_failures_total} and {@code video_events_retention_deleted_total}.
 * The alert on them is {@code VideoEventsRetentionNotRunning}. Created at start-up rather than at its first run,
 * so the series are there (at 0) from the first scrape.
 */
@Startup
@ApplicationScoped
public class EventLogRetention {

    private final Pool pool;
    private final VideoEventsConfig.EventLog config;
    private final AtomicLong lastSuccessMillis = new AtomicLong();
    private final Counter deleted;
    private final Counter failures;

    EventLogRetention(Pool pool, VideoEventsConfig config, MeterRegistry registry) {
        this.pool = pool;
        this.config = config.eventLog();
        Gauge.builder("video.events.retention.last.success.timestamp", lastSuccessMillis, millis -> millis.get() / 1000.0)
                .baseUnit("seconds")
                .description("when the event-log retention job last completed, in seconds since the epoch; 0 before the first time")
                .register(registry);
        this.deleted = Counter.builder("video.events.retention.deleted")
                .description("expired events the retention job deleted from the event log").register(registry);
        this.failures = Counter.builder("video.events.retention.failures")
                .description("runs of the event-log retention job that failed").register(registry);
    }

    @Scheduled(every = "${video-events.event-log.retention-every:1h}", delayed = "1m",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return purge()
                .invoke(count -> {
                    if (count > 0) {
                        Log.infof("retention: deleted %d events older than %s", count, config.retention());
                    }
                })
                .onFailure().invoke(failure -> Log.warnf("retention: deleting expired events failed (%s); the next run"
                        + " tries again", failure.toString()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    /** Deletes every expired event but each video's newest; returns how many went. */
    public Uni<Long> purge() {
        return purgeFrom(0L)
                .invoke(() -> lastSuccessMillis.set(System.currentTimeMillis()))
                .onFailure().invoke(() -> failures.increment());
    }

    private Uni<Long> purgeFrom(long deletedSoFar) {
        return deleteBatch().flatMap(count -> count < config.retentionBatchSize()
                ? Uni.createFrom().item(deletedSoFar + count)
                : purgeFrom(deletedSoFar + count));
    }

    private Uni<Integer> deleteBatch() {
        Duration retention = config.retention();
        return pool.preparedQuery("DELETE FROM video_status_events WHERE ctid IN ("
                + " SELECT e.ctid FROM video_status_events e JOIN videos v ON v.id = e.video_id"
                + " WHERE e.occurred_at < now() - make_interval(secs => $1) AND e.version < v.status_version"
                + " LIMIT $2)")
                .execute(Tuple.of((double) retention.toSeconds(), config.retentionBatchSize()))
                .map(rows -> rows.rowCount())
                .invoke(count -> deleted.increment(count.doubleValue()));
    }
}

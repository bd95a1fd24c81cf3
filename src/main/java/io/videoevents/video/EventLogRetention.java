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
 * Keeps the event log and the feed log to the configured retention. Deletes in small batches, each its own
 * short statement, so workers' writes never wait on it; each video's newest event always stays, so the log
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

    /** Deletes every expired event but each video's newest, and every expired row of the feed log; returns how many went. */
    public Uni<Long> purge() {
        return purgeFrom(this::deleteBatch, 0L).flatMap(events -> purgeFrom(this::deleteFeedBatch, events))
                .invoke(() -> lastSuccessMillis.set(System.currentTimeMillis()))
                .onFailure().invoke(() -> failures.increment());
    }

    private Uni<Long> purgeFrom(java.util.function.Supplier<Uni<Integer>> batch, long deletedSoFar) {
        return batch.get().flatMap(count -> count < config.retentionBatchSize()
                ? Uni.createFrom().item(deletedSoFar + count)
                : purgeFrom(batch, deletedSoFar + count));
    }

    /**
     * Expired rows of the feed log, oldest positions first, and in the same statement the mark of how far the log
     * was cut: a feed cursor before it can no longer be served and gets a new snapshot. Only rows below the
     * horizon go, so no row can ever be added behind the mark.
     */
    private Uni<Integer> deleteFeedBatch() {
        return pool.preparedQuery("WITH doomed AS (DELETE FROM video_feed WHERE (position, seq) IN ("
                + "   SELECT position, seq FROM video_feed WHERE occurred_at < now() - make_interval(secs => $1)"
                + "   AND position < pg_snapshot_xmin(pg_current_snapshot())::text::bigint ORDER BY position, seq LIMIT $2)"
                + "   RETURNING position, seq),"
                + " last AS (SELECT position, seq FROM doomed ORDER BY position DESC, seq DESC LIMIT 1),"
                + " marked AS (UPDATE video_feed_pruned p SET position = last.position, seq = last.seq FROM last"
                + "   WHERE (last.position, last.seq) > (p.position, p.seq) RETURNING 1)"
                + " SELECT count(*) AS deleted FROM doomed")
                .execute(Tuple.of((double) config.retention().toSeconds(), config.retentionBatchSize()))
                .map(rows -> rows.iterator().next().getLong("deleted").intValue());
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

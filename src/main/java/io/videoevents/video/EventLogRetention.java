package io.videoevents.video;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.videoevents.VideoEventsConfig;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Keeps the event log and the feed log to the configured retention. Deletes in small batches, each its own
 * short statement, so workers' writes never wait on it; each video's newest event always stays, so the log
 * can tell a resuming client how far back it reaches.
 */
@ApplicationScoped
public class EventLogRetention {

    private final Pool pool;
    private final VideoEventsConfig.EventLog config;

    EventLogRetention(Pool pool, VideoEventsConfig config) {
        this.pool = pool;
        this.config = config.eventLog();
    }

    @Scheduled(every = "${video-events.event-log.retention-every:1h}", delayed = "1m",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return purge().invoke(deleted -> {
            if (deleted > 0) {
                Log.infof("retention: deleted %d events older than %s", deleted, config.retention());
            }
        }).replaceWithVoid();
    }

    /** Deletes every expired event but each video's newest, and every expired row of the feed log; returns how many went. */
    public Uni<Long> purge() {
        return purgeFrom(this::deleteBatch, 0L).flatMap(events -> purgeFrom(this::deleteFeedBatch, events));
    }

    private Uni<Long> purgeFrom(java.util.function.Supplier<Uni<Integer>> batch, long deletedSoFar) {
        return batch.get().flatMap(deleted -> deleted < config.retentionBatchSize()
                ? Uni.createFrom().item(deletedSoFar + deleted)
                : purgeFrom(batch, deletedSoFar + deleted));
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
                .map(rows -> rows.rowCount());
    }
}

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
 * Keeps the event log to the configured retention. Deletes in small batches, each its own short
 * statement, so workers' writes never wait on it; each video's newest event always stays, so the log
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

    /** Deletes every expired event but each video's newest; returns how many went. */
    public Uni<Long> purge() {
        return purgeFrom(0L);
    }

    private Uni<Long> purgeFrom(long deletedSoFar) {
        return deleteBatch().flatMap(deleted -> deleted < config.retentionBatchSize()
                ? Uni.createFrom().item(deletedSoFar + deleted)
                : purgeFrom(deletedSoFar + deleted));
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

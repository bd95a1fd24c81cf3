package io.videoevents.video;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.videoevents.VideoEventsConfig;
import io.videoevents.support.Ids;
import io.videoevents.support.Metrics;
import io.videoevents.support.PackagedApp;
import io.videoevents.support.WorkerSql;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.PoolOptions;

/**
 * Retention deletes expired events in batches and always keeps each video's newest one, and reports when it
 * last completed, what it deleted and when it failed.
 */
@QuarkusTest
class EventLogRetentionTest {

    @Inject
    EventLogRetention retention;

    @Inject
    VideoEventsConfig config;

    @Inject
    Vertx vertx;

    @Test
    void expiredEventsGoExceptEachVideosNewest() {
        String old = Ids.fresh("old");
        String mixed = Ids.fresh("mixed");
        try (WorkerSql worker = WorkerSql.connect()) {
            worker.insertVideo(old);
            worker.setStatus(old, "processing");
            worker.setStatus(old, "processed");
            worker.insertVideo(mixed);
            worker.setStatus(mixed, "processing");
            worker.setStatus(mixed, "failed");
            worker.update("UPDATE video_status_events SET occurred_at = now() - interval '8 days' WHERE video_id = ?", old);
            worker.update("UPDATE video_status_events SET occurred_at = now() - interval '8 days'"
                    + " WHERE video_id = ? AND version = 1", mixed);

            long deleted = retention.purge().await().indefinitely();

            assertThat(deleted).isGreaterThanOrEqualTo(3);
            assertThat(versions(worker, old)).containsExactly(3L);
            assertThat(versions(worker, mixed)).containsExactly(2L, 3L);
        }
    }

    @Test
    void manyExpiredRowsAreDeletedInSeveralBatches() {
        String busy = Ids.fresh("busy");
        try (WorkerSql worker = WorkerSql.connect()) {
            worker.insertVideo(busy);
            String[] cycle = { "processing", "processed", "failed", "pending" };
            for (int i = 0; i < 2500; i++) {
                worker.setStatus(busy, cycle[i % cycle.length]);
            }
            worker.update("UPDATE video_status_events SET occurred_at = now() - interval '8 days' WHERE video_id = ?", busy);

            long deleted = retention.purge().await().indefinitely();

            assertThat(deleted).isGreaterThanOrEqualTo(2500);
            assertThat(versions(worker, busy)).containsExactly(2501L);
        }
    }

    @Test
    void aCompletedRunIsExportedWithWhatItDeleted() {
        String old = Ids.fresh("reported");
        try (WorkerSql worker = WorkerSql.connect()) {
            worker.insertVideo(old);
            worker.setStatus(old, "processing");
            worker.setStatus(old, "processed");
            worker.update("UPDATE video_status_events SET occurred_at = now() - interval '8 days' WHERE video_id = ?", old);
            double deletedBefore = Metrics.value("video_events_retention_deleted_total").orElseThrow();
            double startedAt = System.currentTimeMillis() / 1000.0;

            long deleted = retention.purge().await().indefinitely();

            double completedAt = Metrics.value("video_events_retention_last_success_timestamp_seconds").orElseThrow();
            assertThat(completedAt).isBetween(startedAt, System.currentTimeMillis() / 1000.0);
            assertThat(deleted).isGreaterThanOrEqualTo(2);
            // the scheduled run may have deleted rows of other tests meanwhile: at least ours are counted
            assertThat(Metrics.value("video_events_retention_deleted_total").orElseThrow() - deletedBefore)
                    .isGreaterThanOrEqualTo(deleted);
        }
        assertThat(Metrics.declared("video_events_retention_last_success_timestamp_seconds", "gauge")).isTrue();
        assertThat(Metrics.declared("video_events_retention_failures", "counter")).isTrue();
    }

    @Test
    void aFailedRunIsCountedAndTheLastSuccessStays() {
        // the same job over a pool whose database refuses every connection
        var refused = PgBuilder.pool().with(new PoolOptions().setMaxSize(1))
                .connectingTo(new PgConnectOptions().setHost("127.0.0.1").setPort(PackagedApp.freePort())
                        .setUser("postgres").setPassword("postgres").setDatabase("postgres"))
                .using(vertx).build();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try {
            EventLogRetention failing = new EventLogRetention(io.vertx.mutiny.sqlclient.Pool.newInstance(refused), config,
                    registry);

            assertThatThrownBy(() -> failing.purge().await().atMost(Duration.ofSeconds(30)));
            assertThat(registry.get("video.events.retention.failures").counter().count()).isEqualTo(1);
            // the scheduled run logs the failure and ends normally, so the scheduler simply tries again next time
            failing.scheduled().await().atMost(Duration.ofSeconds(30));
            assertThat(registry.get("video.events.retention.failures").counter().count()).isEqualTo(2);
            assertThat(registry.get("video.events.retention.last.success.timestamp").gauge().value()).isZero();
            assertThat(registry.get("video.events.retention.deleted").counter().count()).isZero();
        } finally {
            refused.close();
        }
    }

    private static List<Long> versions(WorkerSql worker, String id) {
        List<Long> versions = new ArrayList<>();
        try (var statement = worker.connection()
                .prepareStatement("SELECT version FROM video_status_events WHERE video_id = ? ORDER BY version")) {
            statement.setString(1, id);
            try (var rows = statement.executeQuery()) {
                while (rows.next()) {
                    versions.add(rows.getLong(1));
                }
            }
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
        return versions;
    }
}

package io.videoevents.video;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.videoevents.support.Ids;
import io.videoevents.support.WorkerSql;

/** Retention deletes expired events in batches and always keeps each video's newest one. */
@QuarkusTest
class EventLogRetentionTest {

    @Inject
    EventLogRetention retention;

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

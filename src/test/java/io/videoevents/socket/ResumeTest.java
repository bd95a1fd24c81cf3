package io.videoevents.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.videoevents.support.Ids;
import io.videoevents.support.TestSocket;
import io.videoevents.support.WorkerSql;
import io.videoevents.video.EventLogRetention;
import io.vertx.core.json.JsonObject;

/** {@code ?after=V}: the log after V, then live, with no gap and no duplicate; and what happens when V cannot be served. */
@QuarkusTest
class ResumeTest {

    static final String[] CYCLE = { "processing", "processed", "failed", "pending" };

    @TestHTTPResource("/")
    URI base;

    @Inject
    EventLogRetention retention;

    WorkerSql worker;

    @BeforeEach
    void connectWorker() {
        worker = WorkerSql.connect();
    }

    @AfterEach
    void closeWorker() {
        worker.close();
    }

    /** Creates a video and moves it to {@code version}. */
    private String videoAt(int version) {
        String id = Ids.fresh("resume");
        worker.insertVideo(id);
        for (int v = 2; v <= version; v++) {
            worker.setStatus(id, CYCLE[(v - 2) % CYCLE.length]);
        }
        return id;
    }

    @Test
    void replaysOnlyWhatCameAfterThenGoesLive() {
        String id = videoAt(5);
        try (TestSocket socket = TestSocket.open(base, "/videos/" + id + "/events?after=2")) {
            assertThat(socket.next("status").getLong("version")).isEqualTo(3);
            assertThat(socket.next("status").getLong("version")).isEqualTo(4);
            JsonObject five = socket.next("status");
            assertThat(five.getLong("version")).isEqualTo(5);
            assertThat(five.getString("previousStatus")).isEqualTo("failed");

            worker.setStatus(id, "processing");
            assertThat(socket.next("status").getLong("version")).isEqualTo(6);
        }
    }

    @Test
    void afterTheCurrentVersionSendsNothingUntilTheNextChange() {
        String id = videoAt(3);
        try (TestSocket socket = TestSocket.open(base, "/videos/" + id + "/events?after=3")) {
            worker.setStatus(id, "pending");
            // had the server replayed or snapshotted anything, it would come before version 4
            assertThat(socket.next("status").getLong("version")).isEqualTo(4);
        }
    }

    @Test
    void noGapNoDuplicateWhileChangesKeepCommitting() {
        String id = videoAt(1);
        int changes = 300;
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try (WorkerSql other = WorkerSql.connect()) {
                for (int i = 0; i < changes; i++) {
                    other.setStatus(id, CYCLE[i % CYCLE.length]);
                }
            }
        });
        List<Long> seen = new ArrayList<>();
        await().atMost(TestSocket.WAIT).until(() -> currentVersion(id) > 50);
        try (TestSocket socket = TestSocket.open(base, "/videos/" + id + "/events?after=10")) {
            long last = 10;
            while (last < changes + 1) {
                JsonObject message = socket.next("status");
                last = message.getLong("version");
                seen.add(last);
            }
        }
        writer.join();
        List<Long> expected = new ArrayList<>();
        for (long v = 11; v <= changes + 1; v++) {
            expected.add(v);
        }
        assertThat(seen).containsExactlyElementsOf(expected);
    }

    @Test
    void afterOlderThanTheRetentionGetsAResyncSnapshot() {
        String id = videoAt(6);
        worker.update("UPDATE video_status_events SET occurred_at = now() - interval '30 days' WHERE video_id = ?", id);
        retention.purge().await().indefinitely();

        try (TestSocket socket = TestSocket.open(base, "/videos/" + id + "/events?after=2")) {
            JsonObject snapshot = socket.next("snapshot");
            assertThat(snapshot.getBoolean("resync")).isTrue();
            assertThat(snapshot.getLong("version")).isEqualTo(6);
            worker.setStatus(id, "failed");
            assertThat(socket.next("status").getLong("version")).isEqualTo(7);
        }
        // the newest event is kept, so a client that saw version 5 can still be served exactly
        try (TestSocket socket = TestSocket.open(base, "/videos/" + id + "/events?after=5")) {
            assertThat(socket.next("status").getLong("version")).isEqualTo(6);
        }
    }

    @Test
    void afterAheadOfTheDatabaseGetsAResyncSnapshot() {
        String id = videoAt(2);
        try (TestSocket socket = TestSocket.open(base, "/videos/" + id + "/events?after=99")) {
            JsonObject snapshot = socket.next("snapshot");
            assertThat(snapshot.getBoolean("resync")).isTrue();
            assertThat(snapshot.getLong("version")).isEqualTo(2);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "-1", "abc", "1.5", "", "99999999999999999999999", "1e3", "%2B1" })
    void afterThatIsNotANonNegativeIntegerIsABadRequest(String after) {
        String id = videoAt(1);
        try (TestSocket socket = TestSocket.open(base, "/videos/" + id + "/events?after=" + after)) {
            JsonObject error = socket.next("error");
            assertThat(error.getString("code")).isEqualTo("bad_request");
            assertThat(error.getString("message")).contains("after");
            assertThat(socket.awaitClose()).isEqualTo(1008);
        }
    }

    private long currentVersion(String id) {
        try (var statement = worker.connection().prepareStatement("SELECT status_version FROM videos WHERE id = ?")) {
            statement.setString(1, id);
            try (var rows = statement.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }
    }
}

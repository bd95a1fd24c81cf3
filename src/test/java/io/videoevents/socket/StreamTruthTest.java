package io.videoevents.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.videoevents.subscription.SubscriptionHub;
import io.videoevents.support.Ids;
import io.videoevents.support.Metrics;
import io.videoevents.support.TestSocket;
import io.videoevents.support.WorkerSql;
import io.vertx.core.json.JsonObject;

/**
 * The stream is what the log holds, whatever happens to the row or on the channel: a deletion, an id
 * created again, and notifications that the trigger did not send. The other actor is a plain JDBC
 * session, as a worker or anybody else on the database would be.
 */
@QuarkusTest
class StreamTruthTest {

    @TestHTTPResource("/")
    URI base;

    @Inject
    SubscriptionHub hub;

    WorkerSql worker;
    /** Somebody else on the database: a script, a person in psql. */
    WorkerSql other;

    @BeforeEach
    void connect() {
        worker = WorkerSql.connect();
        other = WorkerSql.connect();
    }

    @AfterEach
    void disconnect() {
        worker.close();
        other.close();
    }

    private String videoAt(int version) {
        String id = Ids.fresh("truth");
        worker.insertVideo(id);
        String[] cycle = { "processing", "processed", "failed", "pending" };
        for (int v = 2; v <= version; v++) {
            worker.setStatus(id, cycle[(v - 2) % cycle.length]);
        }
        return id;
    }

    // --- deletion ---------------------------------------------------------------------------------

    @Test
    void aDeletedVideosOneVideoSocketGetsDeletedThenCloses4404() {
        String id = videoAt(2);
        try (TestSocket socket = TestSocket.open(base, "/videos/" + id + "/events")) {
            assertThat(socket.next("snapshot").getLong("version")).isEqualTo(2);
            worker.update("DELETE FROM videos WHERE id = ?", id);
            JsonObject deleted = socket.next("deleted");
            assertThat(deleted.getString("videoId")).isEqualTo(id);
            assertThat(socket.awaitClose()).isEqualTo(4404);
            assertThat(socket.pending()).isZero();
        }
    }

    @Test
    void aDeletedVideoEndsItsEventsSubscriptionAndTheSocketStaysUsable() {
        String gone = videoAt(3);
        String stays = videoAt(1);
        try (TestSocket socket = TestSocket.open(base, "/events")) {
            subscribe(socket, gone);
            subscribe(socket, stays);
            assertThat(hub.watchers(gone)).isEqualTo(1);

            worker.update("DELETE FROM videos WHERE id = ?", gone);
            assertThat(socket.next("deleted").getString("videoId")).isEqualTo(gone);
            assertThat(hub.watchers(gone)).as("nothing of it stays registered").isZero();

            worker.setStatus(stays, "processing");
            JsonObject next = socket.next("status");
            assertThat(next.getString("videoId")).isEqualTo(stays);
            assertThat(socket.isClosed()).isFalse();
            socket.send("type", "unsubscribe", "videoId", gone);
            assertThat(socket.next("error").getString("code")).as("the subscription ended with the deletion").isEqualTo("bad_request");
        }
    }

    // --- an id created again ------------------------------------------------------------------------

    @Test
    void aReCreatedIdIsANewStreamLiveAndOnResume() {
        String id = videoAt(3);
        String marker = videoAt(1);
        try (TestSocket events = TestSocket.open(base, "/events");
                TestSocket one = TestSocket.open(base, "/videos/" + id + "/events")) {
            subscribe(events, id);
            subscribe(events, marker);
            assertThat(one.next("snapshot").getLong("version")).isEqualTo(3);

            // a worker deletes the upload, registers it again under the same id and processes it
            worker.update("DELETE FROM videos WHERE id = ?", id);
            worker.insertVideo(id);
            worker.setStatus(id, "processing");

            assertThat(events.next("deleted").getString("videoId")).isEqualTo(id);
            assertThat(one.next("deleted").getString("videoId")).isEqualTo(id);
            assertThat(one.awaitClose()).isEqualTo(4404);

            long recreated = currentVersion(id);
            assertThat(recreated).as("the new stream continues above the old one, with a hole").isGreaterThan(4);

            // nothing of the new row reaches the old subscription: a later change of another video, which
            // the socket gets in commit order, comes next
            worker.setStatus(id, "processed");
            worker.setStatus(marker, "processing");
            JsonObject next = events.next("status");
            assertThat(next.getString("videoId")).isEqualTo(marker);
            assertThat(events.pending()).isZero();
        }

        // a client resuming from the old row's version 3 is not served the new row as a continuation
        try (TestSocket resumed = TestSocket.open(base, "/videos/" + id + "/events?after=3")) {
            JsonObject snapshot = resumed.next("snapshot");
            assertThat(snapshot.getBoolean("resync")).isTrue();
            assertThat(snapshot.getLong("version")).isEqualTo(currentVersion(id));
        }
        try (TestSocket resumed = TestSocket.open(base, "/events")) {
            resumed.send("type", "subscribe", "videoId", id, "after", 3);
            resumed.next("subscribed");
            JsonObject snapshot = resumed.next("snapshot");
            assertThat(snapshot.getBoolean("resync")).isTrue();
            assertThat(snapshot.getLong("version")).isEqualTo(currentVersion(id));
        }
    }

    @Test
    void aResumeFromADeletedVideoThatDoesNotExistAgainIsNotFound() {
        String id = videoAt(2);
        worker.update("DELETE FROM videos WHERE id = ?", id);
        try (TestSocket resumed = TestSocket.open(base, "/videos/" + id + "/events?after=2")) {
            assertThat(resumed.next("error").getString("code")).isEqualTo("not_found");
            assertThat(resumed.awaitClose()).isEqualTo(4404);
        }
    }

    @Test
    void aResumeWithinTheNewStreamContinuesFromTheLog() {
        String id = videoAt(2);
        worker.update("DELETE FROM videos WHERE id = ?", id);
        worker.insertVideo(id);
        long first = currentVersion(id);
        worker.setStatus(id, "processing");
        try (TestSocket resumed = TestSocket.open(base, "/videos/" + id + "/events?after=" + first)) {
            JsonObject next = resumed.next("status");
            assertThat(next.getLong("version")).isEqualTo(first + 1);
            assertThat(next.getString("status")).isEqualTo("processing");
        }
    }

    // --- notifications nobody should have sent -----------------------------------------------------

    @Test
    void aForgedStatusNeverReachesAClientAndTheRealOneIsNotDropped() {
        String id = videoAt(1);
        double rejectedBefore = Metrics.value("video_events_notifications_rejected_total").orElse(0);
        try (TestSocket socket = TestSocket.open(base, "/videos/" + id + "/events")) {
            assertThat(socket.next("snapshot").getLong("version")).isEqualTo(1);
            long micros = System.currentTimeMillis() * 1000;
            // without a signature, and with one that is not the trigger's
            other.update("SELECT pg_notify('video_status_events', ?)", "{\"videoId\":\"" + id
                    + "\",\"version\":2,\"status\":\"failed\",\"previousStatus\":\"pending\",\"occurredAt\":" + micros + "}");
            other.update("SELECT pg_notify('video_status_events', ?)", "{\"videoId\":\"" + id
                    + "\",\"version\":2,\"status\":\"failed\",\"previousStatus\":\"pending\",\"occurredAt\":" + micros
                    + ",\"sig\":\"00112233445566778899aabbccddeeff\"}");
            await().atMost(Duration.ofSeconds(5)).until(
                    () -> Metrics.value("video_events_notifications_rejected_total").orElse(0) >= rejectedBefore + 2);

            worker.setStatus(id, "processing");
            JsonObject real = socket.next("status");
            assertThat(real.getLong("version")).isEqualTo(2);
            assertThat(real.getString("status")).isEqualTo("processing");
            assertThat(socket.pending()).isZero();
        }
    }

    @Test
    void aForgedVersionFarAheadDrivesNoWork() {
        String id = videoAt(1);
        try (TestSocket socket = TestSocket.open(base, "/videos/" + id + "/events")) {
            socket.next("snapshot");
            double rejectedBefore = Metrics.value("video_events_notifications_rejected_total").orElse(0);
            double queriesBefore = Metrics.value("video_events_reads_queries_total").orElse(0);
            for (int i = 0; i < 20; i++) {
                other.update("SELECT pg_notify('video_status_events', ?)", "{\"videoId\":\"" + id
                        + "\",\"version\":1000000000,\"status\":\"failed\",\"previousStatus\":\"pending\",\"occurredAt\":1,"
                        + "\"sig\":\"ffffffffffffffffffffffffffffffff\"}");
            }
            await().atMost(Duration.ofSeconds(5)).until(
                    () -> Metrics.value("video_events_notifications_rejected_total").orElse(0) >= rejectedBefore + 20);
            // the rejection happens before anything could read for it: no query followed
            assertThat(Metrics.value("video_events_reads_queries_total").orElse(0)).isEqualTo(queriesBefore);

            worker.setStatus(id, "processing");
            assertThat(socket.next("status").getLong("version")).isEqualTo(2);
        }
    }

    @Test
    void aForgedDeletionOrOwnerDoorbellChangesNothing() {
        String id = videoAt(1);
        try (TestSocket one = TestSocket.open(base, "/videos/" + id + "/events");
                TestSocket events = TestSocket.open(base, "/events")) {
            one.next("snapshot");
            subscribe(events, id);
            double queriesBefore = Metrics.value("video_events_reads_queries_total").orElse(0);
            other.update("SELECT pg_notify('video_status_events', ?)", "{\"kind\":\"deleted\",\"videoId\":\"" + id + "\"}");
            other.update("SELECT pg_notify('video_status_events', ?)", "{\"kind\":\"access\",\"videoId\":\"" + id + "\"}");
            // each doorbell only makes the subscriptions read the row, which is there and unchanged
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> Metrics.value("video_events_reads_queries_total").orElse(0) > queriesBefore);

            worker.setStatus(id, "processing");
            assertThat(one.next("status").getLong("version")).isEqualTo(2);
            assertThat(events.next("status").getLong("version")).isEqualTo(2);
            assertThat(one.isClosed()).isFalse();
        }
    }

    private static void subscribe(TestSocket socket, String id) {
        socket.send("type", "subscribe", "videoId", id);
        assertThat(socket.next("subscribed").getString("videoId")).isEqualTo(id);
        assertThat(socket.next("snapshot").getString("videoId")).isEqualTo(id);
    }

    private long currentVersion(String id) {
        try (var statement = worker.connection().prepareStatement("SELECT status_version FROM videos WHERE id = ?")) {
            statement.setString(1, id);
            try (var rows = statement.executeQuery()) {
                assertThat(rows.next()).isTrue();
                return rows.getLong(1);
            }
        } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }
    }
}

package io.videoevents.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Instant;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.videoevents.subscription.SubscriptionHub;
import io.videoevents.support.Ids;
import io.videoevents.support.TestSocket;
import io.videoevents.support.WorkerSql;
import io.vertx.core.json.JsonObject;

/** A worker's plain SQL, committed on its own connection, reaches the sockets watching that video and no others. */
@QuarkusTest
class VideoEventsSocketTest {

    @TestHTTPResource("/")
    URI base;

    @Inject
    SubscriptionHub hub;

    @Inject
    Clients clients;

    WorkerSql worker;

    @BeforeEach
    void connectWorker() {
        worker = WorkerSql.connect();
    }

    @AfterEach
    void closeWorker() {
        worker.close();
    }

    @Test
    void snapshotFirstThenTheWorkersUpdate() {
        String id = Ids.fresh("v");
        worker.insertVideo(id);
        try (TestSocket socket = TestSocket.watching(base, id)) {
            JsonObject snapshot = socket.snapshot();
            assertThat(snapshot.getString("videoId")).isEqualTo(id);
            assertThat(snapshot.getLong("version")).isEqualTo(1);
            assertThat(snapshot.getString("status")).isEqualTo("pending");
            assertThat(Instant.parse(snapshot.getString("updatedAt"))).isBefore(Instant.now());

            worker.setStatus(id, "processing");

            JsonObject status = socket.next("status");
            assertThat(status.getString("videoId")).isEqualTo(id);
            assertThat(status.getLong("version")).isEqualTo(2);
            assertThat(status.getString("status")).isEqualTo("processing");
            assertThat(status.getString("previousStatus")).isEqualTo("pending");
            assertThat(Instant.parse(status.getString("occurredAt"))).isAfterOrEqualTo(Instant.parse(snapshot.getString("updatedAt")));
        }
    }

    @Test
    void sameValueUpdateIsNoEvent() {
        String id = Ids.fresh("same");
        worker.insertVideo(id);
        try (TestSocket socket = TestSocket.watching(base, id)) {
            worker.setStatus(id, "pending");
            worker.update("UPDATE videos SET processed_file_path = '/out/x.mp4' WHERE id = ?", id);
            worker.setStatus(id, "processed");

            // had either of the first two updates been an event, it would arrive first, as version 2
            JsonObject next = socket.next("status");
            assertThat(next.getLong("version")).isEqualTo(2);
            assertThat(next.getString("status")).isEqualTo("processed");
            assertThat(next.getString("previousStatus")).isEqualTo("pending");
        }
    }

    @Test
    void rolledBackUpdateIsNoEvent() {
        String id = Ids.fresh("rollback");
        worker.insertVideo(id);
        try (TestSocket socket = TestSocket.watching(base, id)) {
            worker.updateAndRollBack("UPDATE videos SET processing_status = 'failed' WHERE id = ?", id);
            worker.setStatus(id, "processing");

            JsonObject next = socket.next("status");
            assertThat(next.getLong("version")).isEqualTo(2);
            assertThat(next.getString("status")).isEqualTo("processing");
        }
    }

    @Test
    void eachClientSeesOnlyItsOwnVideo() {
        String a = Ids.fresh("a");
        String b = Ids.fresh("b");
        worker.insertVideo(a);
        worker.insertVideo(b);
        try (TestSocket watchingA = TestSocket.watching(base, a);
                TestSocket watchingB = TestSocket.watching(base, b)) {
            worker.setStatus(b, "processing");
            worker.setStatus(a, "failed");
            worker.setStatus(b, "processed");

            JsonObject forA = watchingA.next("status");
            assertThat(forA.getString("videoId")).isEqualTo(a);
            assertThat(forA.getString("status")).isEqualTo("failed");

            JsonObject firstForB = watchingB.next("status");
            JsonObject secondForB = watchingB.next("status");
            assertThat(firstForB.getString("videoId")).isEqualTo(b);
            assertThat(firstForB.getLong("version")).isEqualTo(2);
            assertThat(secondForB.getString("videoId")).isEqualTo(b);
            assertThat(secondForB.getLong("version")).isEqualTo(3);

            // b's last change committed after a's; had a's socket been sent any of b's, it would be here by now
            assertThat(watchingA.pending()).isZero();
        }
    }

    @Test
    void manyClientsOnOneVideoAllReceiveEveryChange() {
        String id = Ids.fresh("many");
        worker.insertVideo(id);
        java.util.List<TestSocket> sockets = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                TestSocket socket = TestSocket.watching(base, id);
                sockets.add(socket);
            }
            worker.setStatus(id, "processing");
            worker.setStatus(id, "processed");
            for (TestSocket socket : sockets) {
                assertThat(socket.next("status").getLong("version")).isEqualTo(2);
                assertThat(socket.next("status").getLong("version")).isEqualTo(3);
            }
        } finally {
            sockets.forEach(TestSocket::close);
        }
    }

    @Test
    void largeRowsStillGiveSmallNotificationsAndTheirEvents() {
        String id = Ids.fresh("large");
        worker.insertVideo(id);
        String huge = "/uploads/" + "x".repeat(1_000_000);
        try (TestSocket socket = TestSocket.watching(base, id)) {
            // far beyond the 8000-byte NOTIFY limit, had the payload carried the row
            worker.update("UPDATE videos SET raw_file_path = ?, processed_file_path = ?, processing_status = 'processed'"
                    + " WHERE id = ?", huge, huge, id);
            JsonObject status = socket.next("status");
            assertThat(status.getLong("version")).isEqualTo(2);
            assertThat(status.getString("status")).isEqualTo("processed");
        }
    }

    @Test
    void aWorkerCannotForgeTheVersion() {
        String id = Ids.fresh("forge");
        worker.insertVideo(id);
        worker.update("UPDATE videos SET status_version = 42 WHERE id = ?", id);
        try (TestSocket socket = TestSocket.watching(base, id)) {
            assertThat(socket.snapshot().getLong("version")).isEqualTo(1);
            worker.update("UPDATE videos SET status_version = 99, processing_status = 'failed' WHERE id = ?", id);
            assertThat(socket.next("status").getLong("version")).isEqualTo(2);
        }
    }

    @Test
    void aMalformedNotificationIsCountedAndTheStreamGoesOn() {
        String id = Ids.fresh("malformed");
        worker.insertVideo(id);
        double before = io.videoevents.support.Metrics.value("video_events_notifications_malformed_total").orElse(0);
        try (TestSocket socket = TestSocket.watching(base, id)) {
            worker.update("SELECT pg_notify('video_status_events', 'not json at all')");
            worker.update("SELECT pg_notify('video_status_events', '{\"videoId\": \"" + id + "\", \"version\": \"x\"}')");
            worker.setStatus(id, "processing");
            assertThat(socket.next("status").getLong("version")).isEqualTo(2);
        }
        assertThat(io.videoevents.support.Metrics.value("video_events_notifications_malformed_total").orElse(0))
                .isGreaterThanOrEqualTo(before + 2);
    }

    @Test
    void unknownVideoGetsNotFoundAndClose4404() {
        try (TestSocket socket = TestSocket.open(base, "/videos/" + Ids.fresh("missing") + "/events")) {
            JsonObject error = socket.next("error");
            assertThat(error.getString("code")).isEqualTo("not_found");
            assertThat(socket.awaitClose()).isEqualTo(4404);
        }
    }

    @Test
    void invalidVideoIdGetsBadRequest() {
        try (TestSocket socket = TestSocket.open(base, "/videos/bad%20id%3B/events")) {
            JsonObject error = socket.next("error");
            assertThat(error.getString("code")).isEqualTo("bad_request");
            assertThat(socket.awaitClose()).isEqualTo(1008);
        }
    }

    @Test
    void registryIsEmptyOnceEveryClientHasLeft() {
        String id = Ids.fresh("leave");
        worker.insertVideo(id);
        TestSocket first = TestSocket.watching(base, id);
        TestSocket second = TestSocket.watching(base, id);
        await().atMost(TestSocket.WAIT).until(() -> hub.subscriptionCount() >= 2);

        first.close();
        second.close();

        await().atMost(TestSocket.WAIT).until(() -> hub.subscriptionCount() == 0 && hub.watchedVideoCount() == 0
                && clients.connectionCount() == 0);
    }
}

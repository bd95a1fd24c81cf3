package io.videoevents.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.videoevents.subscription.SubscriptionHub;
import io.videoevents.support.Ids;
import io.videoevents.support.TestSocket;
import io.videoevents.support.WorkerSql;
import io.vertx.core.json.JsonObject;

/** {@code /events}: many videos on one socket, and every kind of bad input answered without losing the socket. */
@QuarkusTest
class EventsSocketTest {

    @TestHTTPResource("/")
    URI base;

    @Inject
    SubscriptionHub hub;

    WorkerSql worker;

    @BeforeEach
    void connectWorker() {
        worker = WorkerSql.connect();
    }

    @AfterEach
    void closeWorker() {
        worker.close();
    }

    private String video() {
        String id = Ids.fresh("multi");
        worker.insertVideo(id);
        return id;
    }

    @Test
    void subscribeToSeveralVideosThenUnsubscribeFromOne() {
        String a = video();
        String b = video();
        try (TestSocket socket = TestSocket.subscribed(base, a, b)) {
            worker.setStatus(a, "processing");
            worker.setStatus(b, "failed");
            JsonObject first = socket.next("status");
            JsonObject second = socket.next("status");
            assertThat(first.getString("videoId")).isEqualTo(a);
            assertThat(second.getString("videoId")).isEqualTo(b);

            socket.send("type", "unsubscribe", "videoId", a);
            assertThat(socket.next("unsubscribed").getString("videoId")).isEqualTo(a);
            worker.setStatus(a, "processed");
            worker.setStatus(b, "pending");
            // a's change committed first; had it been sent after unsubscribed, it would be next
            JsonObject next = socket.next("status");
            assertThat(next.getString("videoId")).isEqualTo(b);
            assertThat(next.getLong("version")).isEqualTo(3);
        }
    }

    @Test
    void subscribeWithAfterReplaysTheLog() {
        String id = video();
        worker.setStatus(id, "processing");
        worker.setStatus(id, "processed");
        try (TestSocket socket = TestSocket.open(base, "/events")) {
            socket.send("type", "subscribe", "videoId", id, "after", 1);
            socket.next("subscribed");
            assertThat(socket.next("status").getLong("version")).isEqualTo(2);
            assertThat(socket.next("status").getLong("version")).isEqualTo(3);
        }
    }

    @Test
    void subscribingTwiceIsIdempotent() {
        String id = video();
        try (TestSocket socket = TestSocket.subscribed(base, id)) {
            socket.send("type", "subscribe", "videoId", id, "after", 0);
            assertThat(socket.next("subscribed").getString("videoId")).isEqualTo(id);

            worker.setStatus(id, "processing");
            assertThat(socket.next("status").getLong("version")).isEqualTo(2);
            worker.setStatus(id, "processed");
            // a duplicate of version 2, or a replay from the second subscribe, would come before version 3
            assertThat(socket.next("status").getLong("version")).isEqualTo(3);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{not json", "[]", "\"subscribe\"", "42", "null", "{}",
            "{\"type\": \"dance\", \"videoId\": \"v\"}",
            "{\"type\": 7}",
            "{\"type\": \"subscribe\"}",
            "{\"type\": \"subscribe\", \"videoId\": \"\"}",
            "{\"type\": \"subscribe\", \"videoId\": \"has space\"}",
            "{\"type\": \"subscribe\", \"videoId\": 12}",
            "{\"type\": \"subscribe\", \"videoId\": \"x'); DROP TABLE videos;--\"}",
            "{\"type\": \"subscribe\", \"videoId\": \"ok\", \"after\": -1}",
            "{\"type\": \"subscribe\", \"videoId\": \"ok\", \"after\": \"3\"}",
            "{\"type\": \"subscribe\", \"videoId\": \"ok\", \"after\": 1.5}",
            "{\"type\": \"subscribe\", \"videoId\": \"ok\", \"after\": 123456789012345678901234567890}",
            "{\"type\": \"unsubscribe\"}",
            "{\"type\": \"unsubscribe\", \"videoId\": \"never-subscribed\"}" })
    void badInputGetsBadRequestAndTheSocketStaysUsable(String message) {
        String id = video();
        try (TestSocket socket = TestSocket.open(base, "/events")) {
            socket.send(message);
            JsonObject error = socket.next("error");
            assertThat(error.getString("code")).isEqualTo("bad_request");
            assertThat(error.getString("message")).isNotBlank();

            socket.subscribe(id);
        }
    }

    @Test
    void unknownVideoIsNotFoundAndTheSocketStaysOpen() {
        String id = video();
        String missing = Ids.fresh("missing");
        try (TestSocket socket = TestSocket.open(base, "/events")) {
            socket.send("type", "subscribe", "videoId", missing);
            JsonObject error = socket.next("error");
            assertThat(error.getString("code")).isEqualTo("not_found");
            assertThat(error.getString("videoId")).isEqualTo(missing);

            socket.subscribe(id);
        }
    }

    @Test
    void binaryFramesAreRefused() {
        try (TestSocket socket = TestSocket.open(base, "/events")) {
            socket.sendBinary(new byte[] { 1, 2, 3 });
            assertThat(socket.next("error").getString("code")).isEqualTo("bad_request");
        }
    }

    @Test
    void aFrameAbove64KiBClosesWith1009() {
        try (TestSocket socket = TestSocket.open(base, "/events")) {
            socket.send("{\"type\":\"subscribe\",\"videoId\":\"" + "x".repeat(70 * 1024) + "\"}");
            assertThat(socket.awaitClose()).isEqualTo(1009);
        }
    }

    @Test
    void registryIsEmptyOnceEverySocketHasClosed() {
        String a = video();
        String b = video();
        TestSocket first = TestSocket.subscribed(base, a, b);
        TestSocket second = TestSocket.subscribed(base, a, b);
        first.close();
        second.close();
        await().atMost(TestSocket.WAIT).until(() -> hub.subscriptionCount() == 0 && hub.watchedVideoCount() == 0);
    }
}

package io.videoevents.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.videoevents.subscription.SubscriptionHub;
import io.videoevents.support.Ids;
import io.videoevents.support.Metrics;
import io.videoevents.support.TestSocket;
import io.videoevents.support.TightLimitsProfile;
import io.videoevents.support.WorkerSql;
import io.vertx.core.json.JsonObject;

/**
 * One socket cannot hurt the service: whatever closes it, nothing of it stays registered, also what was
 * in flight at that moment; and one subscription's slow replay never holds up the socket's other
 * messages.
 */
@QuarkusTest
@TestProfile(TightLimitsProfile.class)
class SocketIsolationTest {

    static final Duration SETTLE = Duration.ofSeconds(10);

    @TestHTTPResource("/")
    URI base;

    @Inject
    SubscriptionHub hub;

    @Inject
    Clients clients;

    WorkerSql worker;
    final List<String> videos = new ArrayList<>();

    @BeforeEach
    void createVideos() {
        worker = WorkerSql.connect();
        for (int i = 0; i < TightLimitsProfile.MAX_SUBSCRIPTIONS; i++) {
            String id = Ids.fresh("iso");
            worker.insertVideo(id);
            videos.add(id);
        }
    }

    @AfterEach
    void closeWorker() {
        worker.close();
    }

    /** Every socket of this test is closed: no connection and no subscription may be left on the server. */
    private void assertNothingLeft() {
        await().atMost(SETTLE).untilAsserted(() -> {
            assertThat(clients.openConnections()).as("sockets still known").isEmpty();
            assertThat(hub.subscriptionCount()).as("subscriptions still registered").isZero();
        });
        assertThat(Metrics.value("video_events_subscriptions")).hasValue(0.0);
        assertThat(Metrics.value("video_events_connections")).hasValue(0.0);
    }

    @Test
    void aFloodOfSubscribesClosedWith1008LeavesNothingRegistered() {
        List<TestSocket> sockets = new ArrayList<>();
        try {
            for (int s = 0; s < 20; s++) {
                sockets.add(TestSocket.open(base, "/events"));
            }
            for (int i = 0; i < 400; i++) {
                for (TestSocket socket : sockets) {
                    socket.send("type", "subscribe", "videoId", videos.get(i % videos.size()));
                }
            }
            for (TestSocket socket : sockets) {
                assertThat(socket.awaitClose()).isEqualTo(1008);
            }
        } finally {
            sockets.forEach(TestSocket::close);
        }
        assertNothingLeft();
    }

    @Test
    void subscribesBehindAnOversizedFrameAreNotRegistered() {
        try (TestSocket socket = TestSocket.open(base, "/events")) {
            socket.send("type", "subscribe", "videoId", videos.get(0));
            socket.send("{\"type\":\"subscribe\",\"videoId\":\"" + "x".repeat(100_000) + "\"}");
            for (int i = 1; i < videos.size(); i++) {
                socket.send("type", "subscribe", "videoId", videos.get(i));
            }
            assertThat(socket.awaitClose()).isEqualTo(1009);
        }
        assertNothingLeft();
    }

    @Test
    void subscribesWhoseReadReturnsAfterTheCloseUnregisterThemselves() {
        for (int round = 0; round < 30; round++) {
            TestSocket socket = TestSocket.open(base, "/events");
            for (String id : videos) {
                socket.send("type", "subscribe", "videoId", id);
            }
            // the client goes away at once: the reads are still under way
            socket.close();
        }
        assertNothingLeft();
    }

    @Test
    void aSlowClientClosedWith4408LeavesNothingRegistered() {
        String busy = videos.get(0);
        try (TestSocket slow = TestSocket.openWithSmallReceiveBuffer(base, "/events")) {
            for (String id : videos) {
                slow.send("type", "subscribe", "videoId", id);
                slow.next("subscribed");
                slow.next("snapshot");
            }
            slow.pause();
            for (int i = 0; i < 3000 && !slow.isClosed(); i++) {
                worker.setStatus(busy, i % 2 == 0 ? "processing" : "pending");
                if (i % 100 == 99 && clients.openConnections().isEmpty()) {
                    break;
                }
            }
            await().atMost(SETTLE).until(() -> clients.openConnections().stream().allMatch(ClientConnection::isClosing));
            slow.resume();
            assertThat(slow.awaitClose()).isEqualTo(4408);
        }
        assertNothingLeft();
    }

    @Test
    void anUnsubscribeIsAnsweredWhileAnotherVideosReplayWaitsForTheClient() {
        String longHistory = videos.get(0);
        String other = videos.get(1);
        // 2,000 versions in one transaction: a replay far longer than the client's queue
        worker.update("DO $$ BEGIN FOR i IN 1..2000 LOOP UPDATE videos SET processing_status = CASE WHEN i % 2 = 0"
                + " THEN 'pending' ELSE 'processing' END WHERE id = '" + longHistory + "'; END LOOP; END $$");
        try (TestSocket socket = TestSocket.openWithSmallReceiveBuffer(base, "/events")) {
            socket.send("type", "subscribe", "videoId", other);
            socket.next("subscribed");
            socket.next("snapshot");
            socket.pause();
            socket.send("type", "subscribe", "videoId", longHistory, "after", 0);
            // the replay sends a page and then waits for the client to take it, which it does not
            await().atMost(SETTLE).until(() -> clients.openConnections().stream().anyMatch(ClientConnection::replayWaiting));

            socket.send("type", "unsubscribe", "videoId", other);
            await().atMost(Duration.ofSeconds(1)).until(() -> hub.watchers(other) == 0);
            socket.send("type", "unsubscribe", "videoId", longHistory);
            await().atMost(Duration.ofSeconds(1)).until(() -> hub.watchers(longHistory) == 0);

            // the client reads again: a prefix of the replay in order, the two answers, and nothing after them
            socket.resume();
            long version = 0;
            List<String> answers = new ArrayList<>();
            while (answers.size() < 2) {
                JsonObject message = socket.next();
                switch (message.getString("type")) {
                    case "subscribed" -> assertThat(message.getString("videoId")).isEqualTo(longHistory);
                    case "status" -> {
                        assertThat(answers).as("nothing of a video after its unsubscribed").doesNotContain(longHistory);
                        assertThat(message.getLong("version")).isEqualTo(version + 1);
                        version = message.getLong("version");
                    }
                    case "unsubscribed" -> answers.add(message.getString("videoId"));
                    default -> throw new AssertionError("unexpected " + message);
                }
            }
            assertThat(answers).containsExactly(other, longHistory);
            assertThat(version).isLessThan(2001);
            worker.setStatus(longHistory, "failed");
            worker.setStatus(other, "failed");
            socket.send("type", "subscribe", "videoId", other);
            assertThat(socket.next("subscribed").getString("videoId")).isEqualTo(other);
            assertThat(socket.next("snapshot").getString("videoId")).isEqualTo(other);
        }
        assertNothingLeft();
    }
}

package io.videoevents.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.videoevents.subscription.SubscriptionHub;
import io.videoevents.support.AuthProfile;
import io.videoevents.support.Ids;
import io.videoevents.support.TestSocket;
import io.videoevents.support.TestTokens;
import io.videoevents.support.WorkerSql;
import io.vertx.core.json.JsonObject;
import io.vertx.core.http.WebSocketClientOptions;

/**
 * With authentication on: a token that expires closes the socket (4401) and leaves nothing registered,
 * and a token refresh is answered at once even while a replay on the same socket waits for the client.
 */
@QuarkusTest
@TestProfile(SocketIsolationWithAuthTest.AuthAndSmallQueues.class)
class SocketIsolationWithAuthTest {

    /** Authentication on, and queues small enough for a replay to wait for a client that does not read. */
    public static class AuthAndSmallQueues extends AuthProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>(super.getConfigOverrides());
            config.put("video-events.socket.max-queued-messages", "200");
            config.put("video-events.socket.send-buffer-bytes", "16384");
            return config;
        }
    }

    @TestHTTPResource("/")
    URI base;

    @Inject
    SubscriptionHub hub;

    @Inject
    Clients clients;

    private static String videoOwnedByAlice(WorkerSql worker) {
        String id = Ids.fresh("auth-iso");
        worker.update("INSERT INTO videos (id, raw_file_path, owner_id) VALUES (?, '/x', 'alice')", id);
        return id;
    }

    @Test
    void anExpiredTokenClosesWith4401AndLeavesNothingRegistered() {
        try (WorkerSql worker = WorkerSql.connect();
                TestSocket socket = TestSocket.open(base, "/events",
                        Map.of("Authorization", "Bearer " + TestTokens.expiringAt("alice", Instant.now().plusSeconds(2))))) {
            for (int i = 0; i < 3; i++) {
                String id = videoOwnedByAlice(worker);
                socket.send("type", "subscribe", "videoId", id);
                socket.next("subscribed");
                socket.next("snapshot");
            }
            assertThat(hub.subscriptionCount()).isEqualTo(3);
            assertThat(socket.awaitClose()).isEqualTo(4401);
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(clients.openConnections()).isEmpty();
            assertThat(hub.subscriptionCount()).isZero();
        });
    }

    @Test
    void aTokenRefreshIsAnsweredWhileAReplayWaitsForTheClient() {
        try (WorkerSql worker = WorkerSql.connect()) {
            String longHistory = videoOwnedByAlice(worker);
            worker.update("DO $$ BEGIN FOR i IN 1..1500 LOOP UPDATE videos SET processing_status = CASE WHEN i % 2 = 0"
                    + " THEN 'pending' ELSE 'processing' END WHERE id = '" + longHistory + "'; END LOOP; END $$");
            // long enough that the refresh below is sent before it even on a starved machine (the test waits it out)
            Instant expiry = Instant.now().plusSeconds(10);
            try (TestSocket socket = TestSocket.open(base, "/events", new WebSocketClientOptions().setReceiveBufferSize(4096),
                    Map.of("Authorization", "Bearer " + TestTokens.expiringAt("alice", expiry)))) {
                socket.pause();
                socket.send("type", "subscribe", "videoId", longHistory, "after", 0);
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> clients.openConnections().stream().anyMatch(ClientConnection::replayWaiting));

                // a fresh token for the same user, sent while the replay waits: it must be taken before the old one expires
                assertThat(Instant.now()).as("the refresh is sent before the first token expires").isBefore(expiry);
                socket.send("type", "auth", "token", TestTokens.user("alice"));
                await().atMost(Duration.ofSeconds(20)).until(() -> Instant.now().isAfter(expiry.plusSeconds(1)));
                assertThat(clients.openConnections()).as("the socket outlived its first token")
                        .anyMatch(client -> !client.isClosing());

                socket.resume();
                long version = 0;
                while (version < 1501) {
                    JsonObject message = socket.next();
                    if ("status".equals(message.getString("type"))) {
                        assertThat(message.getLong("version")).isEqualTo(version + 1);
                        version = message.getLong("version");
                    } else {
                        assertThat(message.getString("type")).isEqualTo("subscribed");
                    }
                }
                assertThat(socket.isClosed()).isFalse();
            }
        }
    }
}

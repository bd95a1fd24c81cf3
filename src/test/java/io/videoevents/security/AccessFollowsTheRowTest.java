package io.videoevents.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.videoevents.support.AuthProfile;
import io.videoevents.support.Ids;
import io.videoevents.support.TestSocket;
import io.videoevents.support.TestTokens;
import io.videoevents.support.WorkerSql;
import io.vertx.core.json.JsonObject;

/**
 * Access follows the row: when a video's owner changes (plain SQL, as any worker or admin script would
 * do it), those who may no longer watch it are cut off at once and get nothing committed after the
 * change; the new owner may subscribe at once.
 */
@QuarkusTest
@TestProfile(AuthProfile.class)
class AccessFollowsTheRowTest {

    static final String ALICE = TestTokens.user("alice");
    static final String BOB = TestTokens.user("bob");
    static final String ADMIN = TestTokens.withGroups("ops", "video-admin");

    @TestHTTPResource("/")
    URI base;

    WorkerSql worker;
    String marker;

    @BeforeEach
    void connect() {
        worker = WorkerSql.connect();
        // a video alice keeps: a later change of it shows that nothing of the other video came before it
        marker = videoOwnedBy("alice");
    }

    @AfterEach
    void disconnect() {
        worker.close();
    }

    private String videoOwnedBy(String owner) {
        String id = Ids.fresh("owner");
        worker.update("INSERT INTO videos (id, raw_file_path, owner_id) VALUES (?, ?, ?)", id, "/x", owner);
        return id;
    }

    private TestSocket open(String path, String token) {
        return TestSocket.open(base, path, Map.of("Authorization", "Bearer " + token));
    }

    @Test
    void anOwnerChangeCutsTheOldOwnerOffOnBothEndpoints() {
        String id = videoOwnedBy("alice");
        try (TestSocket one = open("/videos/" + id + "/events", ALICE);
                TestSocket events = open("/events", ALICE);
                TestSocket admin = open("/videos/" + id + "/events", ADMIN)) {
            one.next("snapshot");
            admin.next("snapshot");
            subscribe(events, id);
            subscribe(events, marker);

            // the new owner and a status change in the same transaction: the old owner must not see it
            worker.update("UPDATE videos SET owner_id = 'bob', processing_status = 'processing' WHERE id = ?", id);

            JsonObject refused = one.next("error");
            assertThat(refused.getString("code")).isEqualTo("forbidden");
            assertThat(one.awaitClose()).isEqualTo(4403);

            JsonObject ended = events.next("error");
            assertThat(ended.getString("code")).isEqualTo("forbidden");
            assertThat(ended.getString("videoId")).isEqualTo(id);

            // later changes reach neither; the /events socket goes on with what alice may still watch
            worker.setStatus(id, "processed");
            worker.setStatus(marker, "processing");
            assertThat(events.next("status").getString("videoId")).isEqualTo(marker);
            assertThat(events.pending()).isZero();
            assertThat(events.isClosed()).isFalse();

            // an admin keeps watching, every version
            assertThat(admin.next("status").getLong("version")).isEqualTo(2);
            assertThat(admin.next("status").getLong("version")).isEqualTo(3);
        }
        try (TestSocket bob = open("/videos/" + id + "/events", BOB)) {
            JsonObject snapshot = bob.next("snapshot");
            assertThat(snapshot.getLong("version")).isEqualTo(3);
        }
    }

    @Test
    void aVideoThatLosesItsOwnerIsForAdminsOnly() {
        String id = videoOwnedBy("alice");
        try (TestSocket events = open("/events", ALICE)) {
            subscribe(events, id);
            worker.update("UPDATE videos SET owner_id = NULL WHERE id = ?", id);
            JsonObject ended = events.next("error");
            assertThat(ended.getString("code")).isEqualTo("forbidden");
            assertThat(ended.getString("videoId")).isEqualTo(id);
            events.send("type", "subscribe", "videoId", id);
            assertThat(events.next("error").getString("code")).isEqualTo("forbidden");
        }
    }

    @Test
    void aChangeOfOtherColumnsKeepsEveryoneWatching() {
        String id = videoOwnedBy("alice");
        try (TestSocket one = open("/videos/" + id + "/events", ALICE)) {
            one.next("snapshot");
            worker.update("UPDATE videos SET processed_file_path = '/out.mp4' WHERE id = ?", id);
            worker.update("UPDATE videos SET owner_id = 'alice' WHERE id = ?", id);
            worker.setStatus(id, "processing");
            assertThat(one.next("status").getLong("version")).isEqualTo(2);
        }
    }

    private static void subscribe(TestSocket socket, String id) {
        socket.send("type", "subscribe", "videoId", id);
        assertThat(socket.next("subscribed").getString("videoId")).isEqualTo(id);
        assertThat(socket.next("snapshot").getString("videoId")).isEqualTo(id);
    }
}

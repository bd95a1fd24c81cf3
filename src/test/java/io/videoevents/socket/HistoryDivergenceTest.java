package io.videoevents.socket;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.videoevents.support.FeedClient;
import io.videoevents.support.Ids;
import io.videoevents.support.Metrics;
import io.videoevents.support.TestSocket;
import io.videoevents.support.WorkerSql;
import io.vertx.core.json.JsonObject;

/**
 * What a failover that lost commits leaves behind, made by hand in one database: the log's row at a version a
 * client saw replaced by another change under the same number, a feed row a cursor names gone, a row appearing
 * below a cursor. Every reader that continues from what it saw (a live subscription when its doorbell rings, a
 * resume with after and tag, a feed cursor on the socket and over REST) gets a resync, and one that saw what the
 * database still holds gets nothing extra. (The real failover, with a primary, its standby and a promotion:
 * {@code ops.FailoverIT}.)
 */
@QuarkusTest
class HistoryDivergenceTest {

    @TestHTTPResource("/")
    URI base;

    @Test
    void aLiveSubscriptionWhoseLastChangeWasReplacedIsResyncedAtItsNextRead() {
        String id = Ids.fresh("diverge-live");
        try (WorkerSql worker = WorkerSql.connect()) {
            worker.insertVideo(id);
            worker.setStatus(id, "processing");
            try (TestSocket socket = TestSocket.watching(base, id)) {
                assertThat(socket.snapshot().getLong("version")).isEqualTo(2L);
                assertThat(socket.snapshot().getString("tag")).hasSize(8);
                double before = diverged("video");

                replaceLoggedChange(worker, id, 2, "failed");
                // the doorbell a reconnect of the listener rings for every subscription
                worker.update("SELECT pg_notify('video_status_events', ?)", "{\"kind\":\"access\",\"videoId\":\"" + id + "\"}");

                JsonObject resync = socket.next("snapshot");
                assertThat(resync.getBoolean("resync")).isTrue();
                assertThat(resync.getLong("version")).isEqualTo(2L);
                assertThat(resync.getString("status")).isEqualTo("failed");
                assertThat(resync.getString("tag")).isNotEqualTo(socket.snapshot().getString("tag"));
                assertThat(diverged("video")).isEqualTo(before + 1);

                worker.setStatus(id, "processed");
                JsonObject next = socket.next("status");
                assertThat(next.getLong("version")).isEqualTo(3L);
                assertThat(next.getString("previousStatus")).isEqualTo("failed");
            }
        }
    }

    @Test
    void aResumeWithTheTagOfAChangeTheLogNoLongerHoldsGetsASnapshotAndOneWithTheLogsTagAReplay() {
        String id = Ids.fresh("diverge-resume");
        try (WorkerSql worker = WorkerSql.connect()) {
            worker.insertVideo(id);
            worker.setStatus(id, "processing");
            String seen;
            try (TestSocket socket = TestSocket.watching(base, id)) {
                seen = socket.snapshot().getString("tag");
            }
            worker.setStatus(id, "processed");

            try (TestSocket same = TestSocket.open(base, "/videos/" + id + "/events?after=2&tag=" + seen)) {
                JsonObject replayed = same.next("status");
                assertThat(replayed.getLong("version")).isEqualTo(3L);
                assertThat(same.pending()).isZero();
            }

            replaceLoggedChange(worker, id, 2, "failed");
            double before = diverged("video");
            try (TestSocket lost = TestSocket.open(base, "/videos/" + id + "/events?after=2&tag=" + seen)) {
                JsonObject resync = lost.next("snapshot");
                assertThat(resync.getBoolean("resync")).isTrue();
                assertThat(resync.getLong("version")).isEqualTo(3L);
            }
            try (TestSocket events = TestSocket.open(base, "/events")) {
                events.send("type", "subscribe", "videoId", id, "after", 2, "tag", seen);
                events.next("subscribed");
                assertThat(events.next("snapshot").getBoolean("resync")).isTrue();
            }
            assertThat(diverged("video")).isEqualTo(before + 2);

            // a client that sends only the number is served as before
            try (TestSocket old = TestSocket.open(base, "/videos/" + id + "/events?after=2")) {
                assertThat(old.next("status").getLong("version")).isEqualTo(3L);
            }
        }
    }

    @Test
    void aBadTagIsABadRequest() {
        String id = Ids.fresh("diverge-bad");
        try (WorkerSql worker = WorkerSql.connect()) {
            worker.insertVideo(id);
            try (TestSocket socket = TestSocket.open(base, "/events")) {
                socket.send("type", "subscribe", "videoId", id, "after", 1, "tag", "nope");
                JsonObject error = socket.next("error");
                assertThat(error.getString("code")).isEqualTo("bad_request");
                assertThat(error.getString("videoId")).isEqualTo(id);
                socket.subscribe(id);
            }
        }
    }

    @Test
    void aFeedCursorWhoseRowIsGoneOrHasARowBelowItStartsOverOnTheSocketAndOverRest() {
        String prefix = Ids.fresh("diverge-feed");
        try (WorkerSql worker = WorkerSql.connect(); FeedClient feed = FeedClient.live(base, Map.of())) {
            worker.insertVideo(prefix + "-a");
            worker.setStatus(prefix + "-a", "processing");
            feed.awaitChanges(prefix, 2);
            String cursor = feed.cursor();
            assertThat(cursor.split("\\.")).as("an anchored cursor").hasSize(7);

            // REST serves the same cursor: nothing new after it
            JsonPath page = given().queryParam("cursor", cursor).get("/feed").then().statusCode(200).extract().jsonPath();
            assertThat(page.getList("changes")).isEmpty();
            assertThat(page.getString("resync")).isNull();

            double before = diverged("feed");
            // the row the cursor names is lost
            String[] place = cursor.split("\\.");
            worker.update("DELETE FROM video_feed WHERE position = ? AND seq = ?", Long.parseLong(place[1]), Long.parseLong(place[2]));

            JsonPath resync = given().queryParam("cursor", cursor).get("/feed").then().statusCode(200).extract().jsonPath();
            assertThat(resync.getBoolean("resync")).isTrue();
            assertThat(resync.getList("videos")).isNotNull();
            try (FeedClient resumed = FeedClient.open(base, Map.of(), cursor)) {
                resumed.awaitResync();
                assertThat(resumed.resyncs()).isEqualTo(1);
            }
            assertThat(diverged("feed")).isEqualTo(before + 2);
        }
    }

    @Test
    void aFeedCursorTheDatabaseStillHoldsGoesOnWithNothingExtra() {
        String prefix = Ids.fresh("diverge-kept");
        try (WorkerSql worker = WorkerSql.connect(); FeedClient feed = FeedClient.live(base, Map.of())) {
            worker.insertVideo(prefix + "-a");
            feed.awaitChanges(prefix, 1);
            String cursor = feed.cursor();
            worker.setStatus(prefix + "-a", "processing");
            try (FeedClient resumed = FeedClient.open(base, Map.of(), cursor)) {
                resumed.awaitChanges(prefix, 1);
                assertThat(resumed.resyncs()).isZero();
                assertThat(resumed.pages()).isEmpty();
            }
        }
    }

    /** The log's row at {@code version} becomes another change under that number, as a promoted standby would hold it. */
    private static void replaceLoggedChange(WorkerSql worker, String id, long version, String status) {
        worker.update("UPDATE video_status_events SET status = ?, occurred_at = occurred_at + interval '1 second'"
                + " WHERE video_id = ? AND version = ?", status, id, version);
        // the row follows its (new) latest change, without the triggers counting a status change (this session only)
        worker.update("SET session_replication_role = replica");
        try {
            worker.update("UPDATE videos SET processing_status = ? WHERE id = ? AND status_version = ?", status, id, version);
        } finally {
            worker.update("SET session_replication_role = origin");
        }
    }

    private static double diverged(String stream) {
        return Metrics.sample("video_events_history_diverged_total{stream=\"" + stream + "\"}").orElse(0);
    }
}

package io.videoevents.feed;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.videoevents.support.FeedClient;
import io.videoevents.support.Ids;
import io.videoevents.support.WorkerSql;
import io.videoevents.video.EventLogRetention;
import io.vertx.core.json.JsonObject;

/**
 * The feed with authentication off (every video): what workers do over SQL, in a database session of their
 * own, and what REST does, arrives once, in the log's order, and a client that goes away in the middle resumes
 * with its cursor and misses nothing. Other tests share the database, so each test looks only at its own ids.
 */
@QuarkusTest
class FeedTest {

    static final String[] CYCLE = { "processing", "processed", "failed", "pending" };

    @TestHTTPResource("/")
    URI base;

    @Inject
    EventLogRetention retention;

    @Inject
    Feeds feeds;

    @Test
    void creationsBySqlAndByRestAppear() {
        String prefix = Ids.fresh("feed-create");
        try (FeedClient feed = FeedClient.live(base, Map.of()); WorkerSql worker = WorkerSql.connect()) {
            worker.insertVideo(prefix + "-sql");
            given().contentType("application/json").body(Map.of("rawFilePath", "/uploads/rest.mp4", "id", prefix + "-rest"))
                    .post("/videos").then().statusCode(201);

            JsonObject bySql = feed.awaitChange(c -> c.getString("videoId").equals(prefix + "-sql"));
            JsonObject byRest = feed.awaitChange(c -> c.getString("videoId").equals(prefix + "-rest"));
            for (JsonObject created : List.of(bySql, byRest)) {
                assertThat(created.getString("change")).isEqualTo("created");
                assertThat(created.getLong("version")).isEqualTo(1L);
                assertThat(created.getString("status")).isEqualTo("pending");
                assertThat(created.getString("cursor")).startsWith("c.");
            }
            assertThat(feed.videos()).containsKeys(prefix + "-sql", prefix + "-rest");
        }
    }

    @Test
    void aSnapshotListsWhatExistsAndADeletionIsAnnounced() {
        String id = Ids.fresh("feed-delete");
        try (WorkerSql worker = WorkerSql.connect()) {
            worker.insertVideo(id);
            worker.setStatus(id, "processing");
            try (FeedClient feed = FeedClient.live(base, Map.of())) {
                assertThat(feed.videos().get(id).getLong("version")).isEqualTo(2L);
                assertThat(feed.videos().get(id).getString("status")).isEqualTo("processing");

                worker.update("DELETE FROM videos WHERE id = ?", id);

                JsonObject deleted = feed.awaitChange(c -> c.getString("videoId").equals(id));
                assertThat(deleted.getString("change")).isEqualTo("deleted");
                assertThat(deleted.getLong("version")).isEqualTo(2L);
                assertThat(feed.videos()).doesNotContainKey(id);
            }
        }
    }

    /**
     * Four workers commit 1,000 changes across 100 videos at once; the client goes away after a third of them and
     * comes back with its cursor. What it got, before and after, is exactly the log's rows of those videos: none
     * missing, none twice, in the log's order, and each video's versions one after the other.
     */
    @Test
    void aClientThatLeavesInTheMiddleResumesWithNothingLostDuplicatedOrReordered() throws Exception {
        String prefix = Ids.fresh("feed-resume");
        int videos = 100;
        int changesPerVideo = 9;
        int expected = videos * (1 + changesPerVideo);
        List<JsonObject> received = new ArrayList<>();
        String cursor;
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<Void> workers;
        try (FeedClient feed = FeedClient.live(base, Map.of())) {
            workers = CompletableFuture.allOf(worker(prefix, 0, 4, videos, changesPerVideo, started),
                    worker(prefix, 1, 4, videos, changesPerVideo, started), worker(prefix, 2, 4, videos, changesPerVideo, started),
                    worker(prefix, 3, 4, videos, changesPerVideo, started));
            started.countDown();
            feed.awaitChanges(prefix, expected / 3);
            received.addAll(feed.changes(prefix));
            cursor = feed.cursor();
        }
        try (FeedClient resumed = FeedClient.open(base, Map.of(), cursor)) {
            workers.get(60, TimeUnit.SECONDS);
            resumed.awaitChanges(prefix, expected - received.size());
            received.addAll(resumed.changes(prefix));
        }

        List<String> log = logOf(prefix);
        assertThat(log).hasSize(expected);
        // a cursor's place (c.<position>.<seq>) is the row's; what follows it names that row by tag (the anchor)
        assertThat(received.stream().map(c -> String.join(".", java.util.Arrays.copyOf(c.getString("cursor").split("\\."), 3)))
                .toList()).containsExactlyElementsOf(log);
        Map<String, Long> lastVersion = new HashMap<>();
        for (JsonObject change : received) {
            long previous = lastVersion.getOrDefault(change.getString("videoId"), 0L);
            assertThat(change.getLong("version")).as("versions of %s", change.getString("videoId")).isEqualTo(previous + 1);
            lastVersion.put(change.getString("videoId"), change.getLong("version"));
        }
    }

    /**
     * A transaction that took its id first but changes a video after a later one did: the feed still gives that
     * video's changes in their commit order (the position of a video's rows never goes back).
     */
    @Test
    void aTransactionThatStartedEarlierButChangedLaterComesAfter() throws SQLException {
        String id = Ids.fresh("feed-order");
        String other = Ids.fresh("feed-order-other");
        try (FeedClient feed = FeedClient.live(base, Map.of()); WorkerSql early = WorkerSql.connect();
                WorkerSql late = WorkerSql.connect()) {
            late.insertVideo(id);
            late.insertVideo(other);
            Connection earlyTx = early.connection();
            earlyTx.setAutoCommit(false);
            try {
                early.update("UPDATE videos SET processing_status = 'processing' WHERE id = ?", other);
                late.setStatus(id, "processing");
                early.update("UPDATE videos SET processing_status = 'processed' WHERE id = ?", id);
                earlyTx.commit();
            } finally {
                earlyTx.setAutoCommit(true);
            }

            JsonObject last = feed.awaitChange(c -> c.getString("videoId").equals(id) && c.getLong("version") == 3);
            List<JsonObject> ofVideo = feed.changes(id).stream().filter(c -> c.getString("videoId").equals(id)).toList();
            assertThat(ofVideo).extracting(c -> c.getLong("version")).containsExactly(1L, 2L, 3L);
            assertThat(last.getString("status")).isEqualTo("processed");
        }
    }

    @Test
    void aCursorOlderThanTheLogKeepsGetsAResyncSnapshot() {
        String id = Ids.fresh("feed-retention");
        String cursor;
        try (FeedClient feed = FeedClient.live(base, Map.of()); WorkerSql worker = WorkerSql.connect()) {
            worker.insertVideo(id);
            feed.awaitChange(c -> c.getString("videoId").equals(id));
            cursor = feed.cursor();
            worker.setStatus(id, "processing");
            worker.setStatus(id, "processed");
            feed.awaitChange(c -> c.getString("videoId").equals(id) && c.getLong("version") == 3);
            worker.update("UPDATE video_feed SET occurred_at = now() - interval '8 days' WHERE video_id = ?", id);
        }
        retention.purge().await().atMost(java.time.Duration.ofSeconds(30));

        try (FeedClient resumed = FeedClient.open(base, Map.of(), cursor)) {
            resumed.awaitResync();
            assertThat(resumed.videos().get(id).getLong("version")).isEqualTo(3L);
        }
    }

    @Test
    void aBadCursorIsRefusedAndTheSocketStaysOpen() {
        try (var socket = io.videoevents.support.TestSocket.open(base, "/events")) {
            socket.send("type", "subscribeFeed", "cursor", "c.12.x");
            JsonObject error = socket.next("error");
            assertThat(error.getString("code")).isEqualTo("bad_request");
            assertThat(error.getBoolean("feed")).isTrue();
            socket.send("type", "unsubscribeFeed");
            assertThat(socket.next("error").getString("code")).isEqualTo("bad_request");
            socket.send("type", "subscribeFeed");
            assertThat(socket.next("feedSubscribed").getString("scope")).isEqualTo("all");
            socket.send("type", "unsubscribeFeed");
            // the snapshot's pages may come first; the answer comes, and nothing of the feed after it
            JsonObject message;
            do {
                message = socket.next();
            } while ("feedSnapshot".equals(message.getString("type")));
            assertThat(message.getString("type")).isEqualTo("feedUnsubscribed");
        }
    }

    /** A worker making {@code changesPerVideo} status changes to every {@code of}-th of the videos, after creating them. */
    private static CompletableFuture<Void> worker(String prefix, int index, int of, int videos, int changesPerVideo,
            CountDownLatch start) {
        return CompletableFuture.runAsync(() -> {
            try (WorkerSql worker = WorkerSql.connect()) {
                start.await();
                List<String> mine = new ArrayList<>();
                for (int v = index; v < videos; v += of) {
                    String id = prefix + "-" + v;
                    worker.insertVideo(id);
                    mine.add(id);
                }
                for (int round = 0; round < changesPerVideo; round++) {
                    for (String id : mine) {
                        worker.setStatus(id, CYCLE[round % CYCLE.length]);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        });
    }

    /** The cursors of the feed log's rows for these videos, as a feed of all videos sees them, in the log's order. */
    private static List<String> logOf(String prefix) throws SQLException {
        List<String> cursors = new ArrayList<>();
        try (WorkerSql worker = WorkerSql.connect(); var statement = worker.connection().prepareStatement(
                "SELECT position, seq FROM video_feed WHERE video_id LIKE ? AND change <> 'left' ORDER BY position, seq")) {
            statement.setString(1, prefix + "-%");
            try (var rows = statement.executeQuery()) {
                while (rows.next()) {
                    cursors.add("c." + rows.getLong(1) + "." + rows.getLong(2));
                }
            }
        }
        return cursors;
    }

    @Test
    void aReadWhoseQueryCannotBeBuiltFailsAndFreesItsTurn() throws Exception {
        // more broken reads than feed reads may run at once: each must fail on its own and give its turn back
        int broken = 5;
        List<CompletableFuture<Throwable>> failures = new ArrayList<>();
        for (int i = 0; i < broken; i++) {
            CompletableFuture<Throwable> failed = new CompletableFuture<>();
            feeds.<Long> read(() -> {
                throw new IllegalStateException("no query");
            }, (item, failure) -> failed.complete(failure));
            failures.add(failed);
        }
        for (CompletableFuture<Throwable> failed : failures) {
            assertThat(failed.get(10, TimeUnit.SECONDS)).isInstanceOf(IllegalStateException.class).hasMessage("no query");
        }
        // and the feeds of real sockets still get their snapshot
        try (FeedClient feed = FeedClient.live(base, Map.of())) {
            assertThat(feed.pages()).isNotEmpty();
        }
    }
}

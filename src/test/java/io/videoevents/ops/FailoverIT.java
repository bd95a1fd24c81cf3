package io.videoevents.ops;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.restassured.path.json.JsonPath;
import io.videoevents.support.FeedClient;
import io.videoevents.support.Metrics;
import io.videoevents.support.PackagedApp;
import io.videoevents.support.ReplicatedDatabase;
import io.videoevents.support.TestSocket;
import io.videoevents.support.WorkerSql;
import io.videoevents.video.ChangeTag;
import io.vertx.core.json.JsonObject;

/**
 * A PostgreSQL failover that loses the last commits, end to end: a primary and its asynchronous standby, two packaged
 * instances reaching "the primary" through one proxy (the Kubernetes Service an operator re-points), the standby's
 * replication held back while 50 status changes commit on the primary and reach every kind of client, then the
 * primary killed, the standby promoted and the proxy re-pointed, and workers committing new changes under the lost
 * version numbers. Afterwards every client's view is the new primary's rows: no status the new primary lost is kept,
 * nothing is lost, duplicated or out of order after what the client was told to start over from, and only the videos
 * and feeds that received lost changes were resynced. The same run with a clean switchover (nothing lost) resyncs
 * nothing at all.
 *
 * <p>Clients: a one-video socket per video and one {@code /events} socket for all of them, live throughout (on both
 * instances); a live feed; clients that received lost changes, went away before the failover and resume with their
 * last version and tag, half on the instance they left and half on the other; a feed that resumes with a lost
 * cursor on a socket and a poller that resumes with it over REST.
 */
class FailoverIT {

    static final int AFFECTED = 10;
    static final int UNAFFECTED = 10;
    /** Changes per affected video while the standby receives nothing: 50 lost commits in all. */
    static final int LOST_PER_VIDEO = 5;
    static final String[] CYCLE = { "processing", "processed", "failed", "pending" };

    @Test
    void afterAFailoverThatLostTheLastCommitsEveryClientHoldsTheNewPrimarysRowsAndOnlyTheAffectedWereResynced() {
        Outcome outcome = run(true);
        assertThat(outcome.resyncsOfUnaffected).as("resyncs of videos whose history the new primary holds").isZero();
        assertThat(outcome.affectedWithoutResync).as("clients of affected videos that were not resynced").isEmpty();
        assertThat(outcome.feedResyncs).as("feeds resynced: the live one, the resumed one, the REST poller").isEqualTo(3);
        assertThat(outcome.divergedReported).as("video_events_history_diverged_total over both instances: every resync")
                .isEqualTo(outcome.resyncsOfAffected + outcome.feedResyncs);
    }

    @Test
    void aCleanSwitchoverResyncsNothing() {
        Outcome outcome = run(false);
        assertThat(outcome.resyncsOfUnaffected + outcome.resyncsOfAffected).as("resyncs").isZero();
        assertThat(outcome.feedResyncs).isZero();
        assertThat(outcome.divergedReported).isZero();
    }

    /** What a run found; every check that holds for both kinds of run is made inside it. */
    record Outcome(int resyncsOfAffected, int resyncsOfUnaffected, List<String> affectedWithoutResync, int feedResyncs,
            double divergedReported) {
    }

    private Outcome run(boolean loseTheTail) {
        try (ReplicatedDatabase db = ReplicatedDatabase.start()) {
            Map<String, String> settings = new HashMap<>(db.serviceDatabaseSettings());
            settings.put("video-events.auth.enabled", "false");
            settings.put("video-events.origins.check", "false");
            settings.put("video-events.listener.reconnect-max-delay", "500ms");
            String mode = loseTheTail ? "failover" : "switchover";
            try (PackagedApp a = PackagedApp.start(mode + "-a", settings); PackagedApp b = PackagedApp.start(mode + "-b", settings);
                    WorkerSql worker = db.serviceWorker()) {
                List<String> affected = new ArrayList<>();
                List<String> unaffected = new ArrayList<>();
                for (int i = 0; i < AFFECTED; i++) {
                    affected.add(mode + "-lost-" + i);
                }
                for (int i = 0; i < UNAFFECTED; i++) {
                    unaffected.add(mode + "-kept-" + i);
                }
                List<String> all = new ArrayList<>(affected);
                all.addAll(unaffected);
                for (String id : all) {
                    worker.insertVideo(id);
                    worker.setStatus(id, "processing");
                }

                List<Watcher> live = new ArrayList<>();
                for (String id : all) {
                    live.add(Watcher.one(a, id));
                    live.add(Watcher.one(b, id));
                }
                live.add(Watcher.many(a, all));
                live.add(Watcher.many(b, all));
                FeedClient liveFeed = FeedClient.live(a.base(), Map.of());
                FeedClient leavingFeed = FeedClient.live(b.base(), Map.of());
                List<Watcher> leaving = new ArrayList<>();
                for (String id : all) {
                    leaving.add(Watcher.one(b, id));
                }
                for (Watcher w : live) {
                    w.awaitVersions(all, 2);
                }
                for (Watcher w : leaving) {
                    w.awaitVersions(all, 2);
                }

                db.awaitReplayed();
                if (loseTheTail) {
                    db.pauseReplication();
                }
                for (int round = 0; round < LOST_PER_VIDEO; round++) {
                    for (String id : affected) {
                        advance(worker, id);
                    }
                }
                // every client has the changes the standby does not
                for (Watcher w : live) {
                    w.awaitVersions(affected, 2 + LOST_PER_VIDEO);
                }
                for (Watcher w : leaving) {
                    w.awaitVersions(affected, 2 + LOST_PER_VIDEO);
                }
                liveFeed.awaitChanges(mode + "-lost", AFFECTED * LOST_PER_VIDEO);
                leavingFeed.awaitChanges(mode + "-lost", AFFECTED * LOST_PER_VIDEO);
                String lostCursor = leavingFeed.cursor();
                leavingFeed.close();
                leaving.forEach(Watcher::close);

                Instant promotedAt;
                if (loseTheTail) {
                    db.killPrimary();
                    db.promoteStandby();
                } else {
                    db.switchover();
                }
                db.repointTo(db.standby());
                promotedAt = Instant.now();
                Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> a.readyStatus() == 200 && b.readyStatus() == 200);

                try (WorkerSql promoted = db.serviceWorker()) {
                    for (int round = 0; round < 3; round++) {
                        for (String id : affected) {
                            advance(promoted, id);
                        }
                    }
                    for (int round = 0; round < 2; round++) {
                        for (String id : unaffected) {
                            advance(promoted, id);
                        }
                    }
                }

                // the clients that went away come back with what they saw: half to the instance they left, half to the other
                List<Watcher> resumed = new ArrayList<>();
                for (int i = 0; i < leaving.size(); i++) {
                    Watcher gone = leaving.get(i);
                    resumed.add(gone.resume(i % 2 == 0 ? b : a));
                }
                FeedClient resumedFeed = FeedClient.open(a.base(), Map.of(), lostCursor);
                Poller poller = new Poller(b, lostCursor);

                Map<String, Row> truth = rows(db, all);
                List<Watcher> everyone = new ArrayList<>(live);
                everyone.addAll(resumed);
                Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
                    for (Watcher w : everyone) {
                        w.drain();
                        for (String id : w.videos()) {
                            assertThat(w.latest(id)).as("%s, video %s", w, id).isEqualTo(truth.get(id));
                        }
                    }
                    drain(liveFeed);
                    drain(resumedFeed);
                    poller.poll();
                    for (String id : all) {
                        for (FeedClient feed : List.of(liveFeed, resumedFeed)) {
                            assertThat(feed.videos().get(id)).as("feed's view of %s", id).isNotNull();
                            assertThat(feed.videos().get(id).getLong("version")).as("feed's version of %s", id).isEqualTo(truth.get(id).version());
                            assertThat(feed.videos().get(id).getString("status")).isEqualTo(truth.get(id).status());
                        }
                        assertThat(poller.videos.get(id)).as("poller's view of %s", id).isNotNull();
                        assertThat(poller.videos.get(id).version()).isEqualTo(truth.get(id).version());
                        assertThat(poller.videos.get(id).status()).isEqualTo(truth.get(id).status());
                    }
                });
                Duration correct = Duration.between(promotedAt, Instant.now());

                // what each client holds after its last resync is the new primary's log, once and in order
                Map<String, List<Long>> log = logVersions(db, all);
                int resyncsOfAffected = 0;
                int resyncsOfUnaffected = 0;
                List<String> affectedWithoutResync = new ArrayList<>();
                for (Watcher w : everyone) {
                    for (String id : w.videos()) {
                        w.assertFollowsTheLog(id, log.get(id), truth);
                        int resyncs = w.resyncs(id);
                        if (affected.contains(id)) {
                            resyncsOfAffected += resyncs;
                            if (resyncs == 0) {
                                affectedWithoutResync.add(w + " " + id);
                            }
                        } else {
                            resyncsOfUnaffected += resyncs;
                        }
                    }
                }
                int feedResyncs = liveFeed.resyncs() + resumedFeed.resyncs() + poller.resyncs;
                double diverged = divergedTotal(a) + divergedTotal(b);
                System.out.printf("%s: correct again %d ms after the promotion; resyncs: %d of affected videos (%d clients),"
                        + " %d of unaffected ones, %d feeds; video_events_history_diverged_total %.0f%n", mode, correct.toMillis(),
                        resyncsOfAffected, everyone.size(), resyncsOfUnaffected, feedResyncs, diverged);
                liveFeed.close();
                resumedFeed.close();
                everyone.forEach(Watcher::close);
                return new Outcome(resyncsOfAffected, resyncsOfUnaffected, affectedWithoutResync, feedResyncs, diverged);
            }
        }
    }

    /** A worker's change: the video's status becomes the next one of {@link #CYCLE}, always another than it has. */
    private static void advance(WorkerSql worker, String id) {
        try (PreparedStatement query = worker.connection().prepareStatement("SELECT processing_status FROM videos WHERE id = ?")) {
            query.setString(1, id);
            try (ResultSet row = query.executeQuery()) {
                assertThat(row.next()).as(id).isTrue();
                int at = List.of(CYCLE).indexOf(row.getString(1));
                worker.setStatus(id, CYCLE[(at + 1) % CYCLE.length]);
            }
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    private static void drain(FeedClient feed) {
        while (feed.socket().pending() > 0) {
            feed.take(feed.socket().next());
        }
    }

    private static double divergedTotal(PackagedApp app) {
        String text = given().baseUri(app.base().toString()).get("/q/metrics").then().statusCode(200).extract().asString();
        return text.lines().filter(line -> line.startsWith("video_events_history_diverged_total{"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }

    /** A video as the database holds it: its version, status and the tag of the change that set them. */
    record Row(long version, String status, String tag) {
    }

    private static Map<String, Row> rows(ReplicatedDatabase db, List<String> ids) {
        Map<String, Row> rows = new HashMap<>();
        try (Connection connection = db.standby().connect(); PreparedStatement query = connection.prepareStatement(
                "SELECT v.status_version, v.processing_status, e.occurred_at FROM videos v"
                        + " JOIN video_status_events e ON e.video_id = v.id AND e.version = v.status_version WHERE v.id = ?")) {
            for (String id : ids) {
                query.setString(1, id);
                try (ResultSet row = query.executeQuery()) {
                    assertThat(row.next()).as(id).isTrue();
                    long version = row.getLong(1);
                    String status = row.getString(2);
                    Instant at = row.getObject(3, java.time.OffsetDateTime.class).toInstant();
                    rows.put(id, new Row(version, status, ChangeTag.text(ChangeTag.ofStatus(id, version, status, at))));
                }
            }
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
        return rows;
    }

    private static Map<String, List<Long>> logVersions(ReplicatedDatabase db, List<String> ids) {
        Map<String, List<Long>> log = new HashMap<>();
        try (Connection connection = db.standby().connect(); PreparedStatement query = connection.prepareStatement(
                "SELECT version FROM video_status_events WHERE video_id = ? ORDER BY version")) {
            for (String id : ids) {
                query.setString(1, id);
                List<Long> versions = new ArrayList<>();
                try (ResultSet row = query.executeQuery()) {
                    while (row.next()) {
                        versions.add(row.getLong(1));
                    }
                }
                log.put(id, versions);
            }
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
        return log;
    }

    /**
     * One client's view of some videos from a real socket: every snapshot and status in the order it came, per video,
     * with the resyncs counted.
     */
    static final class Watcher implements AutoCloseable {
        private final String name;
        private final TestSocket socket;
        private final boolean many;
        private final Map<String, List<JsonObject>> received = new LinkedHashMap<>();

        private Watcher(String name, TestSocket socket, boolean many) {
            this.name = name;
            this.socket = socket;
            this.many = many;
        }

        static Watcher one(PackagedApp app, String id) {
            return new Watcher("one-video socket on " + app.port(), TestSocket.open(app.base(), "/videos/" + id + "/events"), false)
                    .expecting(id);
        }

        static Watcher many(PackagedApp app, List<String> ids) {
            Watcher w = new Watcher("/events socket on " + app.port(), TestSocket.open(app.base(), "/events"), true);
            for (String id : ids) {
                w.expecting(id);
                w.socket.send("type", "subscribe", "videoId", id);
            }
            return w;
        }

        private Watcher expecting(String id) {
            received.put(id, new ArrayList<>());
            return this;
        }

        /** A client that received what this one did, resuming on {@code app} with its last version and tag. */
        Watcher resume(PackagedApp app) {
            String id = received.keySet().iterator().next();
            JsonObject last = latestMessage(id);
            Watcher w = new Watcher("resumed one-video socket on " + app.port(), TestSocket.open(app.base(), "/videos/" + id
                    + "/events?after=" + last.getLong("version") + "&tag=" + last.getString("tag")), false);
            w.received.put(id, new ArrayList<>(received.get(id)));
            return w;
        }

        void drain() {
            while (socket.pending() > 0) {
                JsonObject message = socket.next();
                String type = message.getString("type");
                if (type.equals("snapshot") || type.equals("status")) {
                    List<JsonObject> stream = received.get(message.getString("videoId"));
                    assertThat(stream).as("%s: a message for a video it does not watch: %s", name, message).isNotNull();
                    stream.add(message);
                } else {
                    assertThat(type).as("%s: %s", name, message).isIn("subscribed");
                }
            }
        }

        void awaitVersions(List<String> ids, long version) {
            Awaitility.await().atMost(TestSocket.WAIT).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> {
                drain();
                for (String id : ids) {
                    if (received.containsKey(id)) {
                        assertThat(latestMessage(id)).as("%s: %s", name, id).isNotNull();
                        assertThat(latestMessage(id).getLong("version")).as("%s: %s after %s", name, id, received.get(id))
                                .isGreaterThanOrEqualTo(version);
                    }
                }
            });
        }

        List<String> videos() {
            return List.copyOf(received.keySet());
        }

        JsonObject latestMessage(String id) {
            List<JsonObject> stream = received.get(id);
            return stream.isEmpty() ? null : stream.get(stream.size() - 1);
        }

        Row latest(String id) {
            JsonObject last = latestMessage(id);
            return last == null ? null : new Row(last.getLong("version"), last.getString("status"), last.getString("tag"));
        }

        int resyncs(String id) {
            return (int) received.get(id).stream().filter(m -> Boolean.TRUE.equals(m.getBoolean("resync"))).count();
        }

        /**
         * From the last resync snapshot on (or from the start without one) the stream is the log's: a snapshot of a
         * version, then every later version once and in order, each with the log's tag where the log still has it.
         */
        void assertFollowsTheLog(String id, List<Long> log, Map<String, Row> truth) {
            List<JsonObject> stream = received.get(id);
            int from = 0;
            for (int i = 0; i < stream.size(); i++) {
                if (Boolean.TRUE.equals(stream.get(i).getBoolean("resync"))) {
                    from = i;
                }
            }
            long previous = -1;
            for (JsonObject message : stream.subList(from, stream.size())) {
                long version = message.getLong("version");
                if (previous >= 0) {
                    assertThat(version).as("%s, %s: after %d", name, id, previous).isEqualTo(previous + 1);
                }
                assertThat(log).as("%s, %s: version %d is in the new primary's log", name, id, version).contains(version);
                previous = version;
            }
            assertThat(previous).isEqualTo(truth.get(id).version());
        }

        @Override
        public void close() {
            socket.close();
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** A client that polls the feed over REST from a cursor, page by page, and keeps the videos as they come. */
    static final class Poller {
        private final PackagedApp app;
        private String cursor;
        final Map<String, Row> videos = new HashMap<>();
        int resyncs;

        Poller(PackagedApp app, String cursor) {
            this.app = app;
            this.cursor = cursor;
        }

        void poll() {
            boolean more = true;
            while (more) {
                JsonPath page = given().baseUri(app.base().toString()).queryParam("cursor", cursor).get("/feed").then()
                        .statusCode(200).extract().jsonPath();
                if (Boolean.TRUE.equals(page.get("resync"))) {
                    resyncs++;
                    videos.clear();
                }
                List<Map<String, Object>> listed = page.getList("videos");
                if (listed != null) {
                    listed.forEach(v -> videos.put((String) v.get("videoId"),
                            new Row(((Number) v.get("version")).longValue(), (String) v.get("status"), null)));
                }
                List<Map<String, Object>> changes = page.getList("changes");
                if (changes != null) {
                    for (Map<String, Object> c : changes) {
                        String change = (String) c.get("change");
                        if (change.equals("deleted") || change.equals("left")) {
                            videos.remove((String) c.get("videoId"));
                        } else {
                            videos.put((String) c.get("videoId"), new Row(((Number) c.get("version")).longValue(),
                                    (String) c.get("status"), null));
                        }
                    }
                }
                cursor = page.getString("cursor");
                more = page.getBoolean("more");
            }
        }
    }
}

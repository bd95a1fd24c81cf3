package io.videoevents.feed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.videoevents.support.FeedClient;
import io.videoevents.support.Ids;
import io.videoevents.support.Metrics;
import io.videoevents.support.TestSocket;
import io.videoevents.support.TightLimitsProfile;
import io.videoevents.support.WorkerSql;
import io.vertx.core.json.JsonObject;

/**
 * A feed reader that stops reading while a burst of changes goes by: it is closed with 4408 once its queue
 * passes the limit, a one-video subscriber on the same videos and another feed reader get every change
 * meanwhile, and the slow reader resumes with its last cursor and gets the rest, once and in order.
 */
@QuarkusTest
@TestProfile(TightLimitsProfile.class)
class FeedSlowReaderTest {

    static final int VIDEOS = 100;
    static final int ROUNDS = 25;
    static final String[] CYCLE = { "processing", "processed", "failed", "pending" };

    @TestHTTPResource("/")
    URI base;

    @Test
    void aStalledFeedIsClosedNobodyElseWaitsAndItResumesWithItsCursor() throws SQLException {
        String prefix = Ids.fresh("feed-slow");
        String watched = prefix + "-0";
        try (WorkerSql worker = WorkerSql.connect()) {
            worker.update("INSERT INTO videos (id, raw_file_path) SELECT ? || '-' || i, '/s' FROM generate_series(0, ?) i", prefix,
                    VIDEOS - 1);
            try (FeedClient slow = FeedClient.over(TestSocket.openWithSmallReceiveBuffer(base, "/events"), null);
                    FeedClient other = FeedClient.live(base, Map.of());
                    TestSocket oneVideo = TestSocket.subscribed(base, watched)) {
                slow.awaitSnapshot();
                String stalledAt = slow.cursor();
                double slowClosesBefore = Metrics.value("video_events_slow_client_closes_total").orElse(0);
                slow.socket().pause();

                // each round changes every video in one statement; the others get all of it, round by round
                for (int round = 0; round < ROUNDS; round++) {
                    worker.update("UPDATE videos SET processing_status = ? WHERE id LIKE ?", CYCLE[round % CYCLE.length],
                            prefix + "-%");
                    assertThat(oneVideo.next("status").getLong("version")).isEqualTo(round + 2);
                    other.awaitChanges(prefix, VIDEOS * (round + 1));
                }
                await().atMost(TestSocket.WAIT)
                        .until(() -> Metrics.value("video_events_slow_client_closes_total").orElse(0) >= slowClosesBefore + 1);

                // what reached it before the close, then the rest from its last cursor
                slow.socket().resume();
                String cursor = stalledAt;
                for (Optional<JsonObject> m = slow.socket().nextUntilClosed(); m.isPresent(); m = slow.socket().nextUntilClosed()) {
                    slow.take(m.get());
                    cursor = m.get().getString("cursor");
                }
                assertThat(slow.socket().awaitClose()).isEqualTo(4408);
                assertThat(slow.changes(prefix).size()).isLessThan(VIDEOS * ROUNDS);
                try (FeedClient resumed = FeedClient.open(base, Map.of(), cursor)) {
                    resumed.awaitChanges(prefix, VIDEOS * ROUNDS - slow.changes(prefix).size());
                    List<String> all = new ArrayList<>(slow.changes(prefix).stream().map(c -> c.getString("cursor")).toList());
                    all.addAll(resumed.changes(prefix).stream().map(c -> c.getString("cursor")).toList());
                    assertThat(all).containsExactlyElementsOf(other.changes(prefix).stream().map(c -> c.getString("cursor")).toList());
                }
            }
        }
    }
}

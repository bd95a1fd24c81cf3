package io.videoevents.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.videoevents.support.Ids;
import io.videoevents.support.Metrics;
import io.videoevents.support.TestSocket;
import io.videoevents.support.WorkerSql;

/**
 * Sockets that connect together share their reads: the snapshots of many subscribes that wait for a query
 * go out in one query, not one each. A count, not a timing: it keeps a reconnect storm from costing the
 * database one query per socket again.
 */
@QuarkusTest
@TestProfile(ReadBatchingTest.OneQueryAtATime.class)
class ReadBatchingTest {

    static final int SOCKETS = 200;

    public static class OneQueryAtATime implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("video-events.socket.read-concurrency", "1", "video-events.socket.read-timeout", "30s");
        }
    }

    @TestHTTPResource("/")
    URI base;

    @Test
    void subscribesWaitingTogetherShareOneQuery() throws Exception {
        List<String> ids = new ArrayList<>();
        List<TestSocket> sockets = new ArrayList<>();
        try (WorkerSql worker = WorkerSql.connect(); WorkerSql blocker = WorkerSql.connect()) {
            for (int i = 0; i < SOCKETS; i++) {
                String id = Ids.fresh("batch");
                worker.insertVideo(id);
                ids.add(id);
            }
            double queriesBefore = Metrics.value("video_events_reads_queries_total").orElse(0);
            double requestsBefore = Metrics.value("video_events_reads_requests_total").orElse(0);

            // hold the first query (it reads the tombstones) until every socket has asked for its snapshot
            Connection lock = blocker.connection();
            lock.setAutoCommit(false);
            try (Statement statement = lock.createStatement()) {
                statement.execute("LOCK TABLE video_tombstones IN ACCESS EXCLUSIVE MODE");
            }
            for (String id : ids) {
                sockets.add(TestSocket.open(base, "/videos/" + id + "/events"));
            }
            await().atMost(TestSocket.WAIT).until(
                    () -> Metrics.value("video_events_reads_requests_total").orElse(0) >= requestsBefore + SOCKETS);
            lock.commit();

            for (int i = 0; i < SOCKETS; i++) {
                assertThat(sockets.get(i).next("snapshot").getString("videoId")).isEqualTo(ids.get(i));
            }
            double queries = Metrics.value("video_events_reads_queries_total").orElse(0) - queriesBefore;
            System.out.printf("%d subscribes answered by %.0f queries%n", SOCKETS, queries);
            // the one that waited for the lock, then one for all the others
            assertThat(queries).isLessThanOrEqualTo(2);
        } finally {
            sockets.forEach(TestSocket::close);
        }
    }
}

package io.videoevents.ops;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.videoevents.support.Ids;
import io.videoevents.support.Metrics;
import io.videoevents.support.NatsProfile;
import io.videoevents.support.TestRelay;
import io.videoevents.support.TestSocket;
import io.videoevents.support.WorkerSql;
import io.vertx.core.json.JsonObject;

/**
 * The relay tier after a failover that lost commits: a replica in {@code nats} mode has no LISTEN connection of its
 * own; it learns that notifications may have been missed when a relay LISTENs anew (a relay reconnects to the promoted
 * server), and then every subscription checks the log as on a LISTEN replica. The database's change at the version a
 * client saw is replaced by hand, as a promoted standby would hold it; the relay LISTENing anew brings the resync.
 */
@QuarkusTest
@TestProfile(NatsProfile.class)
class RelayReplicaDivergenceTest {

    static final Duration WAIT = Duration.ofSeconds(20);

    @TestHTTPResource("/")
    URI base;

    WorkerSql worker;
    TestRelay relay;

    @BeforeEach
    void relay() {
        worker = WorkerSql.connect();
        relay = new TestRelay(WorkerSql.connect(), NatsProfile.server().url());
        await().atMost(WAIT).until(() -> given().get("/q/health/ready").statusCode() == 200);
    }

    @AfterEach
    void stop() {
        relay.close();
        worker.close();
    }

    @Test
    void aRelayThatListensAnewMakesTheReplicasSubscriptionsFindTheLostChange() {
        String id = Ids.fresh("relay-diverge");
        worker.insertVideo(id);
        try (TestSocket socket = TestSocket.watching(base, id)) {
            worker.setStatus(id, "processing");
            JsonObject seen = socket.next("status");
            assertThat(seen.getLong("version")).isEqualTo(2L);
            double before = Metrics.sample("video_events_history_diverged_total{stream=\"video\"}").orElse(0);

            // the promoted server holds another change under version 2
            worker.update("UPDATE video_status_events SET status = 'failed', occurred_at = occurred_at + interval '1 second'"
                    + " WHERE video_id = ? AND version = 2", id);
            worker.update("SET session_replication_role = replica");
            worker.update("UPDATE videos SET processing_status = 'failed' WHERE id = ?", id);
            worker.update("SET session_replication_role = origin");
            // a relay LISTENs on it (one not heard before, as a relay that reconnected after a restart is), with a signed heartbeat
            relay.publish(TestRelay.HEARTBEATS, relay.signedHeartbeat("relay-b", 1, true));

            JsonObject resync = socket.next("snapshot");
            assertThat(resync.getBoolean("resync")).isTrue();
            assertThat(resync.getLong("version")).isEqualTo(2L);
            assertThat(resync.getString("status")).isEqualTo("failed");
            assertThat(resync.getString("tag")).isNotEqualTo(seen.getString("tag"));
            await().atMost(WAIT).until(() -> Metrics.sample("video_events_history_diverged_total{stream=\"video\"}")
                    .orElse(0) == before + 1);
        }
    }
}

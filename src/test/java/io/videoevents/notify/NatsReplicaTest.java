package io.videoevents.notify;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;

import jakarta.inject.Inject;

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
 * A replica in {@code nats} mode, with a real nats-server and the trigger's real payloads relayed by the test
 * ({@link TestRelay}): a forged status on the subject is refused by the signature and counted as a forged NOTIFY
 * is; relays falling silent, or NATS going away, turn the replica not ready, and their return makes every
 * subscription read what it missed from the log.
 */
@QuarkusTest
@TestProfile(NatsProfile.class)
class NatsReplicaTest {

    static final Duration WAIT = Duration.ofSeconds(20);

    @TestHTTPResource("/")
    URI base;

    @Inject
    StatusListener listener;

    WorkerSql worker;
    TestRelay relay;

    @BeforeEach
    void relay() {
        worker = WorkerSql.connect();
        relay = new TestRelay(WorkerSql.connect(), NatsProfile.server().url());
        await().atMost(WAIT).until(() -> readyStatus() == 200);
    }

    @AfterEach
    void stop() {
        relay.close();
        worker.close();
    }

    @Test
    void aForgedStatusOnTheSubjectIsRefusedAndCounted() {
        String id = Ids.fresh("nats-forged");
        worker.insertVideo(id);
        double rejected = rejected();
        try (TestSocket socket = TestSocket.watching(base, id)) {
            // version 2 with a made-up signature, on the very subject the relays publish on
            relay.publish(TestRelay.SUBJECT, "{\"videoId\":\"" + id + "\",\"version\":2,\"status\":\"failed\","
                    + "\"previousStatus\":\"pending\",\"occurredAt\":1700000000000000,\"sig\":\"00112233445566778899aabbccddeeff\"}");
            await().atMost(WAIT).until(() -> rejected() >= rejected + 1);

            worker.setStatus(id, "processing");
            JsonObject status = socket.next("status");
            assertThat(status.getLong("version")).isEqualTo(2);
            assertThat(status.getString("status")).as("the log's version 2, not the forged one").isEqualTo("processing");
        }
    }

    @Test
    void theSecondRelaysCopyOfAChangeIsDroppedBeforeAnyCheck() {
        String id = Ids.fresh("nats-copy");
        worker.insertVideo(id);
        try (TestSocket socket = TestSocket.watching(base, id)) {
            worker.setStatus(id, "processing");
            assertThat(socket.next("status").getLong("version")).isEqualTo(2);
            double copies = Metrics.value("video_events_notifications_copies_total").orElse(0);
            double rejected = rejected();
            // what another relay publishes of the same change: the very same payload
            relay.publish(TestRelay.SUBJECT, relay.lastRelayed());
            await().atMost(WAIT).until(() -> Metrics.value("video_events_notifications_copies_total").orElse(0) >= copies + 1);
            assertThat(rejected()).isEqualTo(rejected);

            worker.setStatus(id, "processed");
            assertThat(socket.next("status").getLong("version")).as("the next change, nothing in between").isEqualTo(3);
        }
    }

    @Test
    void silentRelaysTurnTheReplicaNotReadyAndTheirReturnRepairsFromTheLog() {
        String id = Ids.fresh("nats-silent");
        worker.insertVideo(id);
        try (TestSocket socket = TestSocket.watching(base, id)) {
            relay.silence();
            await().atMost(WAIT).until(() -> readyStatus() == 503);
            assertThat(listener.isListening()).isFalse();
            assertThat(listener.problem()).hasValueSatisfying(p -> assertThat(p).contains("heartbeat"));
            assertThat(Metrics.value("video_events_listener_up")).hasValue(0.0);

            // committed while no relay is heard: no payload for it ever reaches NATS
            long dropped = relay.dropped();
            worker.setStatus(id, "processing");
            await().atMost(WAIT).until(() -> relay.dropped() > dropped);
            relay.resume();
            JsonObject status = socket.next("status");
            assertThat(status.getLong("version")).isEqualTo(2);
            assertThat(status.getString("status")).isEqualTo("processing");
            await().atMost(WAIT).until(() -> readyStatus() == 200);
        }
    }

    @Test
    void forgedAndCopiedHeartbeatsAreRefusedAndKeepTheReplicaNotReady() {
        String id = Ids.fresh("nats-forged-heartbeat");
        worker.insertVideo(id);
        try (TestSocket socket = TestSocket.watching(base, id)) {
            String copy = relay.lastHeartbeat();
            relay.silence();
            await().atMost(WAIT).until(() -> readyStatus() == 503);
            double refused = Metrics.value("video_events_relay_heartbeats_refused_total").orElse(0);

            // whoever may publish on the subject, without the key, or with a relay's old words
            long now = System.currentTimeMillis();
            relay.publish(TestRelay.HEARTBEATS, TestRelay.heartbeat("intruder", 1, true, now, null));
            relay.publish(TestRelay.HEARTBEATS, TestRelay.heartbeat("intruder", 1, true, now, "00112233445566778899aabbccddeeff"));
            relay.publish(TestRelay.HEARTBEATS, copy);
            relay.publish(TestRelay.HEARTBEATS, relay.signedHeartbeatAt("test-relay-2", 1, true, now - 60_000));
            await().atMost(WAIT).until(() -> Metrics.value("video_events_relay_heartbeats_refused_total").orElse(0) >= refused + 4);
            assertThat(readyStatus()).isEqualTo(503);
            assertThat(listener.isListening()).isFalse();

            // the relay's own signed heartbeats bring the replica back, and what was missed comes from the log
            worker.setStatus(id, "processing");
            relay.resume();
            await().atMost(WAIT).until(() -> readyStatus() == 200);
            assertThat(socket.next("status").getLong("version")).isEqualTo(2);
        }
    }

    @Test
    void aRestartedNatsServerIsALostConnectionRepairedFromTheLog() {
        String id = Ids.fresh("nats-restart");
        worker.insertVideo(id);
        try (TestSocket socket = TestSocket.watching(base, id)) {
            NatsProfile.server().kill();
            await().atMost(WAIT).until(() -> readyStatus() == 503);
            assertThat(Metrics.value("video_events_nats_connected")).hasValue(0.0);

            long dropped = relay.dropped();
            worker.setStatus(id, "processing");
            await().atMost(WAIT).until(() -> relay.dropped() > dropped);
            NatsProfile.server().restart();
            JsonObject status = socket.next("status");
            assertThat(status.getLong("version")).isEqualTo(2);
            await().atMost(WAIT).until(() -> readyStatus() == 200);
            assertThat(Metrics.value("video_events_nats_connected")).hasValue(1.0);

            // live again: the next change comes through the relay
            worker.setStatus(id, "processed");
            assertThat(socket.next("status").getLong("version")).isEqualTo(3);
        }
    }

    private static double rejected() {
        return Metrics.value("video_events_notifications_rejected_total").orElse(0);
    }

    private static int readyStatus() {
        return given().when().get("/q/health/ready").then().extract().statusCode();
    }
}

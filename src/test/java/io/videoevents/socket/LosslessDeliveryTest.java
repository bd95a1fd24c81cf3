package io.videoevents.socket;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.videoevents.notify.StatusListener;
import io.videoevents.support.ChangeStream;
import io.videoevents.support.FaultDatabase;
import io.videoevents.support.FaultProfile;
import io.videoevents.support.Ids;
import io.videoevents.support.Metrics;
import io.videoevents.support.TestSocket;
import io.videoevents.support.WorkerSql;

/**
 * Fault injection: 1,000 committed changes over 20 videos with 3 clients each, while the LISTEN
 * connection is killed, the database restarts, the network goes silent, or a client drops. Every
 * client must end with every version of its video, once, in order. The faults hit a throwaway server
 * ({@link FaultDatabase}), never the machine's own.
 */
@QuarkusTest
@TestProfile(FaultProfile.class)
class LosslessDeliveryTest {

    static final int VIDEOS = 20;
    static final int CLIENTS_PER_VIDEO = 3;
    static final int CHANGES = 1000;
    static final Duration CATCH_UP = Duration.ofSeconds(60);

    @TestHTTPResource("/")
    URI base;

    @Inject
    StatusListener listener;

    @Inject
    MeterRegistry registry;

    @Test
    void listenerBackendKilledTwice() {
        double reconnectsBefore = reconnects();
        try (ChangeStream stream = new ChangeStream(base, FaultDatabase::worker, VIDEOS, CLIENTS_PER_VIDEO)) {
            stream.run(CHANGES, i -> {
                if (i == 300 || i == 650) {
                    // the second kill must find the reconnected backend, not hit the gap before it
                    await().atMost(CATCH_UP).until(listener::isListening);
                    assertThat(FaultDatabase.terminateListenerBackend()).isEqualTo(1);
                }
            });
            stream.assertEveryClientGotEveryVersionOnceInOrder(CATCH_UP);
        }
        await().atMost(CATCH_UP).until(() -> reconnects() >= reconnectsBefore + 2);
    }

    @Test
    void databaseRestartedMidStream() {
        long[] recoveryMillis = { -1 };
        try (ChangeStream stream = new ChangeStream(base, FaultDatabase::worker, VIDEOS, CLIENTS_PER_VIDEO)) {
            stream.run(CHANGES, i -> {
                if (i == 400) {
                    FaultDatabase.restart();
                    long accepting = System.nanoTime();
                    // committed the moment the server accepts connections, before the listener is back
                    String video = stream.videos().get(0);
                    long version = stream.commitOne(video);
                    ChangeStream.Watcher watcher = stream.watchers().get(0);
                    await().atMost(CATCH_UP).until(() -> watcher.reached(version));
                    recoveryMillis[0] = (System.nanoTime() - accepting) / 1_000_000;
                }
            });
            stream.assertEveryClientGotEveryVersionOnceInOrder(CATCH_UP);
        }
        System.out.printf("database restart: first change committed after the restart reached a client %d ms after"
                + " the server accepted connections again%n", recoveryMillis[0]);
        assertThat(recoveryMillis[0]).isNotNegative();
        await().atMost(CATCH_UP).until(listener::isListening);
    }

    @Test
    void networkCutSilentlyThenRestored() {
        try (ChangeStream stream = new ChangeStream(base, FaultDatabase::worker, VIDEOS, CLIENTS_PER_VIDEO)) {
            stream.run(CHANGES, i -> {
                if (i == 300) {
                    FaultDatabase.proxy().cut();
                    // nothing was closed: only the probe can tell the listener is gone, and readiness must say so
                    await().atMost(Duration.ofSeconds(30)).until(() -> !listener.isListening());
                    given().when().get("/q/health/ready").then().statusCode(503).body("status", equalTo("DOWN"));
                    given().when().get("/q/health/live").then().statusCode(200);
                    assertThat(Metrics.value("video_events_listener_up")).hasValue(0.0);
                }
                if (i == 600) {
                    // 300 changes were committed while the listener was deaf
                    FaultDatabase.proxy().restore();
                }
            });
            stream.assertEveryClientGotEveryVersionOnceInOrder(CATCH_UP);
        }
        await().atMost(CATCH_UP).until(listener::isListening);
        given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        assertThat(Metrics.value("video_events_listener_up")).hasValue(1.0);
        assertThat(Metrics.value("video_events_backfilled_total").orElse(0)).isGreaterThanOrEqualTo(300);
        assertThat(Metrics.value("video_events_listener_reconnects_total").orElse(0)).isGreaterThanOrEqualTo(1);
    }

    @Test
    void clientsDisconnectAndResumeWithAfter() {
        try (ChangeStream stream = new ChangeStream(base, FaultDatabase::worker, VIDEOS, CLIENTS_PER_VIDEO)) {
            List<ChangeStream.Watcher> watchers = stream.watchers();
            stream.run(CHANGES, i -> {
                if (i == 250 || i == 700) {
                    for (int w = 0; w < watchers.size(); w += 2) {
                        watchers.get(w).reconnectWithAfter();
                    }
                }
            });
            stream.assertEveryClientGotEveryVersionOnceInOrder(CATCH_UP);
        }
    }

    @Test
    void deletionsMadeWhileTheListenerIsAwayAreFoundWhenItComesBack() {
        try (WorkerSql worker = FaultDatabase.worker()) {
            String gone = Ids.fresh("away");
            String recreated = Ids.fresh("away");
            String changed = Ids.fresh("away");
            for (String id : List.of(gone, recreated, changed)) {
                worker.insertVideo(id);
            }
            try (TestSocket one = TestSocket.open(base, "/videos/" + gone + "/events");
                    TestSocket events = TestSocket.open(base, "/events")) {
                one.next("snapshot");
                for (String id : List.of(recreated, changed)) {
                    events.send("type", "subscribe", "videoId", id);
                    events.next("subscribed");
                    events.next("snapshot");
                }
                await().atMost(CATCH_UP).until(listener::isListening);
                FaultDatabase.proxy().cut();
                await().atMost(Duration.ofSeconds(30)).until(() -> !listener.isListening());

                worker.update("DELETE FROM videos WHERE id = ?", gone);
                worker.update("DELETE FROM videos WHERE id = ?", recreated);
                worker.insertVideo(recreated);
                worker.setStatus(changed, "processing");

                FaultDatabase.proxy().restore();
                assertThat(one.next("deleted").getString("videoId")).isEqualTo(gone);
                assertThat(one.awaitClose()).isEqualTo(4404);
                // one frame each, in whichever order the two subscriptions' reads came back
                List<String> got = List.of(events.next().encode(), events.next().encode());
                assertThat(got).anySatisfy(frame -> assertThat(frame).contains("\"type\":\"deleted\"").contains(recreated));
                assertThat(got).anySatisfy(frame -> assertThat(frame).contains("\"type\":\"status\"").contains(changed)
                        .contains("\"version\":2"));
            }
        }
    }

    private double reconnects() {
        return registry.get("video.events.listener.reconnects").counter().count();
    }
}

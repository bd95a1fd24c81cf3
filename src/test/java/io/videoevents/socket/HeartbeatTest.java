package io.videoevents.socket;

import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.videoevents.support.Ids;
import io.videoevents.support.TestSocket;
import io.videoevents.support.WorkerSql;

/** The server pings every socket; one that answers stays, one that stops answering is closed. */
@QuarkusTest
@TestProfile(HeartbeatTest.FastHeartbeat.class)
class HeartbeatTest {

    public static class FastHeartbeat implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("video-events.socket.ping-interval", "500ms", "video-events.socket.pong-timeout", "3s");
        }
    }

    @TestHTTPResource("/")
    URI base;

    @Inject
    Clients clients;

    @Test
    void aClientAnsweringPingsStaysOnBothEndpoints() {
        try (WorkerSql worker = WorkerSql.connect()) {
            String id = Ids.fresh("alive");
            worker.insertVideo(id);
            try (TestSocket one = TestSocket.watching(base, id);
                    TestSocket many = TestSocket.open(base, "/events")) {
                await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(7))
                        .until(() -> !one.isClosed() && !many.isClosed());
            }
        }
    }

    @Test
    void aClientThatStopsAnsweringPingsIsClosed() {
        TestSocket silent = TestSocket.open(base, "/events");
        TestSocket lively = TestSocket.open(base, "/events");
        try {
            await().atMost(TestSocket.WAIT).until(() -> clients.connectionCount() >= 2);
            int before = clients.connectionCount();
            silent.pause();
            // the silent one is dropped within the pong timeout; the lively one, answering pings, stays
            await().atMost(TestSocket.WAIT).until(() -> clients.connectionCount() == before - 1);
            await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(7)).until(() -> !lively.isClosed());
        } finally {
            silent.resume();
            silent.close();
            lively.close();
        }
    }
}

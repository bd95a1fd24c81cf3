package io.videoevents.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.videoevents.support.TestSocket;

/**
 * Every socket is pinged once per ping interval, and the pings of sockets that arrived together are spread
 * over the interval: a sweep of every socket at once would hold up every delivery queued behind it.
 */
@QuarkusTest
@TestProfile(HeartbeatSpreadTest.ThirtyTicks.class)
class HeartbeatSpreadTest {

    /** Thirty ticks: with thirty sockets opened together, one socket per tick. */
    static final Duration PING_INTERVAL = Duration.ofMillis(30 * Clients.HEARTBEAT_TICK_MILLIS);
    /** A third of the interval. */
    static final Duration WINDOW = Duration.ofMillis(10 * Clients.HEARTBEAT_TICK_MILLIS);

    public static class ThirtyTicks implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("video-events.socket.ping-interval", PING_INTERVAL.toMillis() + "ms",
                    "video-events.socket.pong-timeout", "30s");
        }
    }

    @TestHTTPResource("/")
    URI base;

    @Test
    void socketsOpenedTogetherArePingedATickApart() {
        int count = 30;
        List<TestSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                sockets.add(TestSocket.open(base, "/events"));
            }
            await().atMost(PING_INTERVAL.multipliedBy(3)).until(() -> sockets.stream().noneMatch(s -> s.pingsAt().isEmpty()));
            List<Long> firstPings = sockets.stream().map(s -> s.pingsAt().get(0)).sorted().toList();
            assertThat(firstPings.get(count - 1) - firstPings.get(0)).as("every socket pinged within one interval")
                    .isLessThan(PING_INTERVAL.plusMillis(500).toNanos());
            // one socket per tick: any third of the interval holds about a third of the first pings (one more or
            // less where a window's edge meets a tick's, two more where a busy machine delays the client's reading;
            // pinging all at once would put all 30 in one window)
            long window = WINDOW.toNanos();
            int busiest = 0;
            for (int i = 0; i < count; i++) {
                int j = i;
                while (j < count && firstPings.get(j) - firstPings.get(i) < window) {
                    j++;
                }
                busiest = Math.max(busiest, j - i);
            }
            assertThat(busiest).as("sockets whose first ping came within a third of the interval of each other")
                    .isBetween(count / 3 - 3, count / 3 + 3);
            // and the next round comes one interval later, again a third at a time
            await().atMost(PING_INTERVAL.multipliedBy(3)).until(() -> sockets.stream().allMatch(s -> s.pingsAt().size() >= 2));
            for (TestSocket socket : sockets) {
                long apart = socket.pingsAt().get(1) - socket.pingsAt().get(0);
                assertThat(apart).as("time between a socket's pings")
                        .isBetween(PING_INTERVAL.minusMillis(500).toNanos(), PING_INTERVAL.plusMillis(500).toNanos());
            }
        } finally {
            sockets.forEach(TestSocket::close);
        }
    }
}

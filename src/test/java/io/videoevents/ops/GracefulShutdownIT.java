package io.videoevents.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.videoevents.support.Ids;
import io.videoevents.support.PackagedApp;
import io.videoevents.support.TestSocket;
import io.videoevents.support.TestTokens;
import io.videoevents.support.ThrowawayDatabase;
import io.videoevents.support.WorkerSql;

/**
 * SIGTERM on the packaged application, as Kubernetes sends it: readiness goes DOWN at once, new
 * sockets are refused (404), the open ones are closed with 1001 spread over the drain window, and the
 * process exits well within a 30 s grace period.
 */
class GracefulShutdownIT {

    static final int CLIENTS = 20;
    static final Duration WINDOW = Duration.ofSeconds(4);

    @Test
    void sigtermDrainsSocketsOverTheWindowAndExits() {
        Map<String, String> admin = Map.of("Authorization", "Bearer " + TestTokens.withGroups("ops", "video-admin"));
        String id = Ids.fresh("shutdown");
        List<TestSocket> sockets = new ArrayList<>();
        try (ThrowawayDatabase db = new ThrowawayDatabase()) {
            Map<String, String> settings = new HashMap<>(db.settings());
            settings.put("video-events.shutdown.drain-window", WINDOW.toSeconds() + "s");
            try (PackagedApp app = PackagedApp.start("shutdown-it", settings); WorkerSql worker = db.worker()) {
                worker.insertVideo(id);
                for (int i = 0; i < CLIENTS; i++) {
                    TestSocket socket = TestSocket.watching(app.base(), id, admin);
                    sockets.add(socket);
                }

                long terminatedAt = System.nanoTime();
                app.terminate();

                await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(50)).until(() -> app.readyStatus() == 503);
                // a new socket is refused with 404, which nginx can pass on to another replica without marking this one failed
                assertThat(TestSocket.upgradeStatus(app.base(), "/events", admin)).isEqualTo(404);

                long first = Long.MAX_VALUE;
                long last = 0;
                for (TestSocket socket : sockets) {
                    assertThat(socket.awaitClose()).isEqualTo(1001);
                    first = Math.min(first, socket.closedAt());
                    last = Math.max(last, socket.closedAt());
                }
                long spreadMillis = (last - first) / 1_000_000;
                System.out.printf("shutdown: %d sockets closed with 1001 over %d ms (window %s)%n", CLIENTS, spreadMillis, WINDOW);
                assertThat(spreadMillis).as("closes spread over the window").isGreaterThan(WINDOW.toMillis() / 2);

                int exit = app.awaitExit(Duration.ofSeconds(30));
                long exitMillis = (System.nanoTime() - terminatedAt) / 1_000_000;
                System.out.printf("shutdown: exited with %d, %d ms after SIGTERM%n", exit, exitMillis);
                // 143 = terminated by SIGTERM after the shutdown hooks ran
                assertThat(exit).isIn(0, 143);
                assertThat(exitMillis).isLessThan(30_000);
                // the sockets' upgrade requests are not left for Quarkus's request drain to wait on
                assertThat(PackagedApp.log("shutdown-it")).doesNotContain("Timed out waiting for graceful shutdown");
            }
        } finally {
            sockets.forEach(TestSocket::close);
        }
    }
}

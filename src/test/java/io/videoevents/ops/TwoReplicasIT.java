package io.videoevents.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.videoevents.support.ChangeStream;
import io.videoevents.support.PackagedApp;
import io.videoevents.support.TestSocket;
import io.videoevents.support.TestTokens;
import io.videoevents.support.ThrowawayDatabase;

/**
 * Two packaged instances on one database, each with its own LISTEN connection. Clients on both get
 * every change a worker's SQL makes; one instance is killed (SIGKILL, nothing closed properly); the
 * other's clients do not notice, and the killed one's clients resume on the survivor with {@code after}
 * and lose nothing.
 */
class TwoReplicasIT {

    @Test
    void killingOneReplicaLosesNothing() {
        Map<String, String> admin = Map.of("Authorization", "Bearer " + TestTokens.withGroups("ops", "video-admin"));
        try (ThrowawayDatabase db = new ThrowawayDatabase();
                PackagedApp a = PackagedApp.start("replica-a", db.settings());
                PackagedApp b = PackagedApp.start("replica-b", db.settings());
                ChangeStream stream = new ChangeStream(List.of(a.base(), b.base()), db::worker, 10, 4, admin)) {

            stream.run(800, i -> {
                if (i == 300) {
                    a.kill();
                    for (ChangeStream.Watcher watcher : stream.watchers()) {
                        if (watcher.base().equals(a.base())) {
                            await().atMost(TestSocket.WAIT).until(watcher::isClosed);
                            watcher.reconnectWithAfter(b.base());
                        }
                    }
                }
            });
            stream.assertEveryClientGotEveryVersionOnceInOrder(Duration.ofSeconds(60));
            assertThat(stream.watchers()).allSatisfy(watcher -> {
                assertThat(watcher.base()).isEqualTo(b.base());
                assertThat(watcher.isClosed()).isFalse();
            });
        }
    }
}

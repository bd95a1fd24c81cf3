package io.videoevents.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.ref.WeakReference;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.videoevents.support.TestSocket;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * An open socket must not keep the HTTP request that opened it (BENCHMARKS.md: 3.5 KB per socket).
 * The upgrade's routing context is watched through a weak reference: with the socket still open and
 * answering, a garbage collection must be able to take it.
 */
@QuarkusTest
class UpgradeRequestTrimTest {

    @TestHTTPResource("/")
    URI base;

    @Test
    void anOpenSocketDoesNotHoldItsUpgradeRequest() {
        String marker = "trim-" + System.nanoTime();
        try (TestSocket socket = TestSocket.open(base, "/events?probe=" + marker)) {
            WeakReference<RoutingContext> upgrade = UpgradeRequests.SEEN.get(marker);
            assertThat(upgrade).as("the upgrade request was seen").isNotNull();

            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> {
                System.gc();
                return upgrade.get() == null;
            });

            // the socket is still open and serving
            socket.send("type", "subscribe", "videoId", "no-such-video-" + marker);
            JsonObject answer = socket.next("error");
            assertThat(answer.getString("code")).isEqualTo("not_found");
        }
    }

    /** Remembers, weakly, the routing context of every upgrade request that carries a probe marker. */
    @ApplicationScoped
    static class UpgradeRequests {

        static final Map<String, WeakReference<RoutingContext>> SEEN = new ConcurrentHashMap<>();

        void register(@Observes Filters filters) {
            filters.register(request -> {
                String probe = request.request().getParam("probe");
                if (probe != null) {
                    SEEN.put(probe, new WeakReference<>(request));
                }
                request.next();
            }, 1);
        }
    }
}

package io.videoevents.support;

import java.util.List;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * Runs the service as a replica in {@code nats} mode against a nats-server of the test's own ({@link #server()}),
 * with heartbeats every 100 ms so that silence is noticed within a few tenths of a second.
 */
public class NatsProfile implements QuarkusTestProfile {

    private static NatsServer server;

    /** The server the service under test is connected to. */
    public static NatsServer server() {
        return server;
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "video-events.fanout.mode", "nats",
                "video-events.fanout.role", "replica",
                "video-events.fanout.nats.heartbeat-interval", "100ms",
                "video-events.fanout.nats.heartbeat-misses", "3",
                "video-events.fanout.nats.reconnect-wait", "100ms");
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(Resource.class));
    }

    /** Starts the server before the application and gives it the URL; stops it after the tests. */
    public static class Resource implements QuarkusTestResourceLifecycleManager {

        @Override
        public synchronized Map<String, String> start() {
            server = NatsServer.start("replica-test");
            return Map.of("video-events.fanout.nats.url", server.url());
        }

        @Override
        public synchronized void stop() {
            if (server != null) {
                server.close();
            }
        }
    }
}

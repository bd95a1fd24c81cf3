package io.videoevents.support;

import java.util.List;
import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** Runs the service against {@link FaultDatabase}, with short probe and reconnect times so faults are noticed quickly. */
public class FaultProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "video-events.listener.probe-interval", "500ms",
                "video-events.listener.probe-timeout", "1s",
                "video-events.listener.reconnect-max-delay", "500ms",
                "video-events.listener.connect-timeout", "2s",
                "video-events.socket.read-timeout", "3s");
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(FaultDatabase.class));
    }
}

package io.videoevents.support;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * Tracing on, with the spans kept in memory ({@link InMemorySpans}) instead of sent to a collector, and exported
 * within a tenth of a second of their end.
 */
public class TracingProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "quarkus.otel.sdk.disabled", "false",
                "quarkus.otel.bsp.schedule.delay", "50ms",
                "quarkus.otel.bsp.export.timeout", "1s");
    }
}

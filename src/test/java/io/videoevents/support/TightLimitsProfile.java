package io.videoevents.support;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** Small limits, so limit and slow-client tests run in seconds. */
public class TightLimitsProfile implements QuarkusTestProfile {

    public static final int MAX_SUBSCRIPTIONS = 5;
    public static final int MESSAGES_PER_SECOND = 10;
    public static final int MAX_QUEUED_MESSAGES = 500;
    public static final int MAX_QUEUED_BYTES = 128 * 1024;

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "video-events.socket.max-subscriptions", String.valueOf(MAX_SUBSCRIPTIONS),
                "video-events.socket.max-messages-per-second", String.valueOf(MESSAGES_PER_SECOND),
                "video-events.socket.max-queued-messages", String.valueOf(MAX_QUEUED_MESSAGES),
                "video-events.socket.max-queued-bytes", String.valueOf(MAX_QUEUED_BYTES),
                // a small kernel buffer, so a stalled reader backs up into the counted queue within a few hundred frames
                "video-events.socket.send-buffer-bytes", "16384");
    }
}

package io.videoevents.support;

import java.util.HashMap;
import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** Authentication and the origin check on, with the test's own key, issuer and audience. */
public class AuthProfile implements QuarkusTestProfile {

    public static final String ALLOWED_ORIGIN = "https://app.video-events.test";

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> settings = new HashMap<>(TestTokens.verificationSettings());
        settings.putAll(Map.of(
                "video-events.auth.enabled", "true",
                "video-events.auth.message-timeout", "1s",
                "video-events.origins.check", "true",
                "video-events.origins.allowed", ALLOWED_ORIGIN));
        return settings;
    }
}

package io.videoevents.support;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** Authentication and the origin check on, with the test's own key and issuer. */
public class AuthProfile implements QuarkusTestProfile {

    public static final String ALLOWED_ORIGIN = "https://app.video-events.test";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "video-events.auth.enabled", "true",
                "video-events.auth.message-timeout", "1s",
                "mp.jwt.verify.publickey.location", TestTokens.publicKeyLocation(),
                "mp.jwt.verify.issuer", TestTokens.ISSUER,
                "video-events.origins.check", "true",
                "video-events.origins.allowed", ALLOWED_ORIGIN);
    }
}

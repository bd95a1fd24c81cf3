package io.videoevents.support;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** Hands the packaged application (prod profile: authentication on) the test's own key, issuer and audience. */
public class TestAuthKeys implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return TestTokens.verificationSettings();
    }

    @Override
    public void stop() {
    }
}

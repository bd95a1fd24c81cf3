package io.videoevents.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * With authentication on, the instance starts only when a key verifies tokens and, unless the operator
 * opted out, an issuer and an audience are expected; each refusal names the variable to set.
 */
class AuthModeCheckTest {

    @Test
    void keyIssuerAndAudienceTogetherAreEnough() {
        assertThat(AuthModeCheck.missingSettings(true, true, true, true, true)).isEmpty();
    }

    @Test
    void withoutAKeyNothingCanBeVerified() {
        List<String> missing = AuthModeCheck.missingSettings(false, true, true, true, true);
        assertThat(missing).singleElement().asString()
                .contains("MP_JWT_VERIFY_PUBLICKEY_LOCATION").contains("MP_JWT_VERIFY_PUBLICKEY");
    }

    @Test
    void theIssuerIsRequiredByDefault() {
        List<String> missing = AuthModeCheck.missingSettings(true, false, true, true, true);
        assertThat(missing).singleElement().asString()
                .contains("MP_JWT_VERIFY_ISSUER").contains("VIDEO_EVENTS_AUTH_REQUIRE_ISSUER=false");
    }

    @Test
    void theAudienceIsRequiredByDefault() {
        List<String> missing = AuthModeCheck.missingSettings(true, true, true, false, true);
        assertThat(missing).singleElement().asString()
                .contains("MP_JWT_VERIFY_AUDIENCES").contains("VIDEO_EVENTS_AUTH_REQUIRE_AUDIENCE=false");
    }

    @Test
    void everyMissingSettingIsNamedAtOnce() {
        assertThat(AuthModeCheck.missingSettings(false, false, true, false, true)).hasSize(3);
    }

    @Test
    void issuerAndAudienceMayBeOptedOutButNeverTheKey() {
        assertThat(AuthModeCheck.missingSettings(true, false, false, false, false)).isEmpty();
        assertThat(AuthModeCheck.missingSettings(false, false, false, false, false)).hasSize(1);
    }
}

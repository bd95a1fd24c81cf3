package io.videoevents.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.videoevents.support.PackagedApp;
import io.videoevents.support.TestTokens;
import io.videoevents.support.ThrowawayDatabase;

/**
 * The packaged application with authentication on (its production default) refuses to start without an
 * expected issuer or audience, naming what to set; an operator who opts out gets an instance that
 * accepts any issuer and audience, as documented.
 */
class AuthSettingsIT {

    static ThrowawayDatabase db;

    @BeforeAll
    static void database() {
        db = new ThrowawayDatabase();
    }

    @AfterAll
    static void dropDatabase() {
        db.close();
    }

    private static Map<String, String> settingsWithout(String... names) {
        Map<String, String> settings = new HashMap<>(db.settings());
        for (String name : names) {
            settings.remove(name);
        }
        return settings;
    }

    @Test
    void withoutAnExpectedIssuerTheInstanceDoesNotStart() {
        String log = PackagedApp.startMustFail("auth-no-issuer", settingsWithout("mp.jwt.verify.issuer"));
        assertThat(log).contains("authentication is on but no issuer is expected")
                .contains("MP_JWT_VERIFY_ISSUER").contains("VIDEO_EVENTS_AUTH_REQUIRE_ISSUER=false")
                .doesNotContain("MP_JWT_VERIFY_AUDIENCES");
    }

    @Test
    void withoutAnExpectedAudienceTheInstanceDoesNotStart() {
        String log = PackagedApp.startMustFail("auth-no-audience", settingsWithout("mp.jwt.verify.audiences"));
        assertThat(log).contains("authentication is on but no audience is expected")
                .contains("MP_JWT_VERIFY_AUDIENCES").contains("VIDEO_EVENTS_AUTH_REQUIRE_AUDIENCE=false");
    }

    @Test
    void theStandardEnvironmentVariablesConfigureVerification() throws Exception {
        Map<String, String> environment = Map.of(
                "MP_JWT_VERIFY_PUBLICKEY", TestTokens.publicKeyPem(),
                "MP_JWT_VERIFY_ISSUER", TestTokens.ISSUER,
                "MP_JWT_VERIFY_AUDIENCES", "some-other-name," + TestTokens.AUDIENCE);
        try (PackagedApp app = PackagedApp.start("auth-from-environment", db.databaseSettings(), environment)) {
            assertThat(status(app, TestTokens.withGroups("ops", "video-admin"))).isEqualTo(200);
            assertThat(status(app, TestTokens.forAudiences("ops", List.of("video-admin"), "another-service"))).isEqualTo(401);
            assertThat(status(app, TestTokens.token("ops", List.of("video-admin"), Instant.now().plusSeconds(600), null,
                    "https://someone-else.test"))).isEqualTo(401);
        }
    }

    private static int status(PackagedApp app, String token) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(app.base().resolve("videos?limit=1"))
                .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void optingOutAcceptsAnyIssuerAndAudience() throws Exception {
        Map<String, String> settings = settingsWithout("mp.jwt.verify.issuer", "mp.jwt.verify.audiences");
        settings.put("video-events.auth.require-issuer", "false");
        settings.put("video-events.auth.require-audience", "false");
        try (PackagedApp app = PackagedApp.start("auth-opted-out", settings)) {
            String elsewhere = TestTokens.token("worker-1", List.of("video-admin"), Instant.now().plusSeconds(600), null,
                    "https://someone-else.test");
            String noAudience = TestTokens.forAudiences("worker-1", List.of("video-admin"));
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            for (String token : List.of(elsewhere, noAudience)) {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(app.base().resolve("videos?limit=1"))
                        .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            }
            assertThat(PackagedApp.log("auth-opted-out")).contains("accepts tokens of any issuer")
                    .contains("accepts tokens for any audience");
        }
    }
}

package io.videoevents.security;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.logging.Log;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import io.videoevents.VideoEventsConfig;

/**
 * Says loudly how the instance authenticates. Production without authentication is allowed (behind
 * another gate, say) but never silent. Authentication without a key to verify with cannot work, and
 * without an expected issuer and audience it would accept any token the key signed, also those meant
 * for other services: each of these stops the start, naming the setting to give.
 */
@ApplicationScoped
class AuthModeCheck {

    private final VideoEventsConfig.Auth auth;
    private final Optional<String> publicKey;
    private final Optional<String> publicKeyLocation;
    private final Optional<String> issuer;
    private final Optional<String> audiences;

    AuthModeCheck(VideoEventsConfig config,
            @ConfigProperty(name = "mp.jwt.verify.publickey") Optional<String> publicKey,
            @ConfigProperty(name = "mp.jwt.verify.publickey.location") Optional<String> publicKeyLocation,
            @ConfigProperty(name = "mp.jwt.verify.issuer") Optional<String> issuer,
            @ConfigProperty(name = "mp.jwt.verify.audiences") Optional<String> audiences) {
        this.auth = config.auth();
        // smallrye-jwt's own default for an unset key or issuer is the word NONE
        this.publicKey = publicKey.filter(AuthModeCheck::isSet);
        this.publicKeyLocation = publicKeyLocation.filter(AuthModeCheck::isSet);
        this.issuer = issuer.filter(AuthModeCheck::isSet);
        this.audiences = audiences.filter(AuthModeCheck::isSet);
    }

    private static boolean isSet(String value) {
        return !value.isBlank() && !"NONE".equals(value.trim());
    }

    void check(@Observes StartupEvent start) {
        if (!auth.enabled()) {
            if (LaunchMode.current() == LaunchMode.NORMAL) {
                Log.warn("******************************************************************************");
                Log.warn("* AUTHENTICATION IS OFF (VIDEO_EVENTS_AUTH_ENABLED=false): anyone who reaches *");
                Log.warn("* this instance can watch every video and change every status.               *");
                Log.warn("******************************************************************************");
            }
            return;
        }
        List<String> missing = missingSettings(publicKey.isPresent() || publicKeyLocation.isPresent(),
                issuer.isPresent(), auth.requireIssuer(), audiences.isPresent(), auth.requireAudience());
        if (!missing.isEmpty()) {
            throw new IllegalStateException("authentication is on but " + String.join("; ", missing)
                    + ". Or set VIDEO_EVENTS_AUTH_ENABLED=false to run without authentication");
        }
        if (issuer.isEmpty()) {
            Log.warn("authentication accepts tokens of any issuer (VIDEO_EVENTS_AUTH_REQUIRE_ISSUER=false)");
        }
        if (audiences.isEmpty()) {
            Log.warn("authentication accepts tokens for any audience (VIDEO_EVENTS_AUTH_REQUIRE_AUDIENCE=false)");
        }
        Log.infof("authentication is on: tokens are verified with %s, issuer %s, audience %s",
                publicKeyLocation.map(l -> "the key at " + l).orElse("the configured public key"),
                issuer.orElse("any"), audiences.orElse("any"));
    }

    /**
     * What is missing for authentication to be safe, each as a sentence naming the environment variable
     * to set (and, where one exists, the opt-out); empty when nothing is.
     */
    static List<String> missingSettings(boolean keySet, boolean issuerSet, boolean issuerRequired, boolean audienceSet,
            boolean audienceRequired) {
        List<String> missing = new ArrayList<>();
        if (!keySet) {
            missing.add("no key verifies tokens: set MP_JWT_VERIFY_PUBLICKEY_LOCATION (a PEM file or JWKS URL)"
                    + " or MP_JWT_VERIFY_PUBLICKEY");
        }
        if (issuerRequired && !issuerSet) {
            missing.add("no issuer is expected: set MP_JWT_VERIFY_ISSUER to the iss of your identity provider's"
                    + " tokens (or VIDEO_EVENTS_AUTH_REQUIRE_ISSUER=false to accept any issuer)");
        }
        if (audienceRequired && !audienceSet) {
            missing.add("no audience is expected: set MP_JWT_VERIFY_AUDIENCES to the aud value(s), comma-separated,"
                    + " that tokens for this service carry (or VIDEO_EVENTS_AUTH_REQUIRE_AUDIENCE=false to accept"
                    + " tokens for any audience)");
        }
        return missing;
    }
}

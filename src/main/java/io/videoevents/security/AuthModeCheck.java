package io.videoevents.security;

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
 * another gate, say) but never silent; authentication without a key to verify with cannot work and
 * stops the start.
 */
@ApplicationScoped
class AuthModeCheck {

    private final boolean enabled;
    private final Optional<String> publicKey;
    private final Optional<String> publicKeyLocation;

    AuthModeCheck(VideoEventsConfig config,
            @ConfigProperty(name = "mp.jwt.verify.publickey") Optional<String> publicKey,
            @ConfigProperty(name = "mp.jwt.verify.publickey.location") Optional<String> publicKeyLocation) {
        this.enabled = config.auth().enabled();
        // smallrye-jwt's own default for an unset key is the word NONE
        this.publicKey = publicKey.filter(AuthModeCheck::isSet);
        this.publicKeyLocation = publicKeyLocation.filter(AuthModeCheck::isSet);
    }

    private static boolean isSet(String value) {
        return !value.isBlank() && !"NONE".equals(value);
    }

    void check(@Observes StartupEvent start) {
        if (!enabled) {
            if (LaunchMode.current() == LaunchMode.NORMAL) {
                Log.warn("******************************************************************************");
                Log.warn("* AUTHENTICATION IS OFF (VIDEO_EVENTS_AUTH_ENABLED=false): anyone who reaches *");
                Log.warn("* this instance can watch every video and change every status.               *");
                Log.warn("******************************************************************************");
            }
            return;
        }
        if (publicKey.isEmpty() && publicKeyLocation.isEmpty()) {
            throw new IllegalStateException("authentication is on but no key verifies tokens: set"
                    + " MP_JWT_VERIFY_PUBLICKEY_LOCATION (a PEM file or JWKS URL) or MP_JWT_VERIFY_PUBLICKEY,"
                    + " and MP_JWT_VERIFY_ISSUER; or set VIDEO_EVENTS_AUTH_ENABLED=false");
        }
        Log.infof("authentication is on: tokens are verified with %s",
                publicKeyLocation.map(l -> "the key at " + l).orElse("the configured public key"));
    }
}

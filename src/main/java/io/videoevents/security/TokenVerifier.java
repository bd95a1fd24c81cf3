package io.videoevents.security;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * The one check of a socket's token, for an upgrade's Authorization header and for an {@code auth} message
 * alike: the standard MicroProfile JWT verification (signature, issuer, audience, expiry), then a subject.
 */
@ApplicationScoped
class TokenVerifier {

    private final JWTParser parser;

    TokenVerifier(JWTParser parser) {
        this.parser = parser;
    }

    /** Verifies off the event loop (key retrieval may block). Fails with {@link TokenRefused}. */
    Uni<Caller> verifyOffLoop(String token) {
        return Uni.createFrom().item(() -> verify(token)).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    private Caller verify(String token) {
        try {
            Caller caller = Caller.of(parser.parse(token));
            if (caller.subject() == null || caller.subject().isBlank()) {
                throw new TokenRefused("the token has no subject");
            }
            return caller;
        } catch (ParseException e) {
            // the parser's message may quote claims; say only that verification failed
            throw new TokenRefused("the token could not be verified (signature, issuer, audience, expiry or format)");
        }
    }

    /** A token that is not acceptable; the message never contains the token. */
    static final class TokenRefused extends RuntimeException {
        TokenRefused(String message) {
            super(message, null, false, false);
        }
    }
}

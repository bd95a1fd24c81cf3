package io.videoevents.security;

import java.time.Instant;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.videoevents.VideoEventsConfig;
import io.videoevents.socket.AccessGuard;
import io.videoevents.video.ApiException;
import io.videoevents.video.Video;
import io.videoevents.video.VideoAccessPolicy;
import io.videoevents.video.VideoState;

/**
 * The rules of contract section 5, for REST and sockets alike.
 *
 * <p>A caller who is neither the owner nor an admin gets the same refusal for a video that exists and
 * for one that does not ({@code 403} / {@code forbidden}): telling them apart would let anyone probe
 * which ids exist. Both cases take the same single query, so timing tells nothing either. Admins, who
 * may see everything, get {@code 404} / {@code not_found} for a missing video; so do writers changing
 * a status, since they are trusted services that need to know.
 */
@ApplicationScoped
public class AccessRules implements VideoAccessPolicy, AccessGuard {

    private final boolean enabled;
    private final CurrentIdentityAssociation identities;
    private final JWTParser parser;

    AccessRules(VideoEventsConfig config, CurrentIdentityAssociation identities, JWTParser parser) {
        this.enabled = config.auth().enabled();
        this.identities = identities;
        this.parser = parser;
    }

    // --- REST -------------------------------------------------------------------------------------

    @Override
    public Uni<Void> requireWriter() {
        if (!enabled) {
            return Uni.createFrom().voidItem();
        }
        return caller().invoke(caller -> {
            if (!caller.isWriter()) {
                throw ApiException.forbidden("creating videos and changing their status needs the group " + Caller.WRITER);
            }
        }).replaceWithVoid();
    }

    @Override
    public Uni<Void> requireReader(String id, Optional<Video> video) {
        if (!enabled) {
            return video.isPresent() ? Uni.createFrom().voidItem() : Uni.createFrom().failure(ApiException.notFound(id));
        }
        return caller().invoke(caller -> {
            if (video.isEmpty()) {
                throw caller.isAdmin() ? ApiException.notFound(id) : forbiddenVideo();
            }
            if (!caller.mayWatch(video.get().ownerId())) {
                throw forbiddenVideo();
            }
        }).replaceWithVoid();
    }

    @Override
    public Uni<Optional<String>> listedOwner() {
        if (!enabled) {
            return Uni.createFrom().item(Optional.empty());
        }
        return caller().map(caller -> caller.isAdmin() ? Optional.empty() : Optional.of(caller.subject()));
    }

    @Override
    public Uni<Optional<String>> defaultOwner() {
        if (!enabled) {
            return Uni.createFrom().item(Optional.empty());
        }
        return caller().map(caller -> Optional.ofNullable(caller.subject()));
    }

    private static ApiException forbiddenVideo() {
        return ApiException.forbidden("not allowed to see this video");
    }

    /** The authenticated caller of this request; 401 without a valid token. */
    private Uni<Caller> caller() {
        return identities.getDeferredIdentity().map(identity -> {
            if (identity.isAnonymous() || !(identity.getPrincipal() instanceof JsonWebToken token)) {
                throw ApiException.unauthenticated();
            }
            return Caller.of(token);
        });
    }

    // --- sockets ----------------------------------------------------------------------------------

    @Override
    public boolean requiresAuthMessage(WebSocketConnection socket) {
        return enabled && socket.userData().get(Caller.KEY) == null;
    }

    @Override
    public Uni<Optional<Instant>> authenticate(WebSocketConnection socket, String token) {
        if (!enabled) {
            return Uni.createFrom().item(Optional.empty());
        }
        return verifyOffLoop(token)
                .map(caller -> {
                    Caller previous = socket.userData().get(Caller.KEY);
                    if (previous != null && !previous.subject().equals(caller.subject())) {
                        throw new TokenRefused("a replacement token must be for the same subject");
                    }
                    socket.userData().put(Caller.KEY, caller);
                    return Optional.ofNullable(caller.expiresAt());
                });
    }

    /**
     * Verifies a token off the event loop (key retrieval may block): the same rule for an upgrade's
     * Authorization header and for an {@code auth} message. Fails with {@link TokenRefused}.
     */
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
            throw new TokenRefused("the token could not be verified (signature, issuer, expiry or format)");
        }
    }

    @Override
    public Optional<Instant> expiresAt(WebSocketConnection socket) {
        Caller caller = socket.userData().get(Caller.KEY);
        return caller == null ? Optional.empty() : Optional.ofNullable(caller.expiresAt());
    }

    @Override
    public Decision decide(WebSocketConnection socket, Optional<VideoState> state) {
        if (!enabled) {
            return state.isPresent() ? Decision.ALLOW : Decision.NOT_FOUND;
        }
        Caller caller = socket.userData().get(Caller.KEY);
        if (caller == null) {
            return Decision.FORBIDDEN;
        }
        if (state.isEmpty()) {
            return caller.isAdmin() ? Decision.NOT_FOUND : Decision.FORBIDDEN;
        }
        return caller.mayWatch(state.get().ownerId()) ? Decision.ALLOW : Decision.FORBIDDEN;
    }

    /** A token that is not acceptable; the message never contains the token. */
    static final class TokenRefused extends RuntimeException {
        TokenRefused(String message) {
            super(message, null, false, false);
        }
    }
}

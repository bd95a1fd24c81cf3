package io.videoevents.security;

import java.time.Instant;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Uni;
import io.videoevents.VideoEventsConfig;
import io.videoevents.subscription.AccessGuard;
import io.videoevents.video.FeedScope;
import io.videoevents.video.VideoState;

/**
 * The rules of contract section 5 for sockets. A socket keeps its verified {@link Caller} in its user data
 * (from the upgrade's Authorization header or its {@code auth} messages), so nothing here depends on a
 * request: the socket endpoints need no request context per message.
 *
 * <p>As over REST, a caller who is neither the owner nor an admin gets the same refusal ({@code forbidden})
 * for a video that exists and for one that does not; admins get {@code not_found} for a missing one.
 */
@ApplicationScoped
class SocketAccess implements AccessGuard {

    private final boolean enabled;
    private final TokenVerifier tokens;

    SocketAccess(VideoEventsConfig config, TokenVerifier tokens) {
        this.enabled = config.auth().enabled();
        this.tokens = tokens;
    }

    @Override
    public boolean requiresAuthMessage(WebSocketConnection socket) {
        return enabled && socket.userData().get(Caller.KEY) == null;
    }

    @Override
    public Uni<Optional<Instant>> authenticate(WebSocketConnection socket, String token) {
        if (!enabled) {
            return Uni.createFrom().item(Optional.empty());
        }
        return tokens.verifyOffLoop(token)
                .map(caller -> {
                    Caller previous = socket.userData().get(Caller.KEY);
                    if (previous != null && !previous.subject().equals(caller.subject())) {
                        throw new TokenVerifier.TokenRefused("a replacement token must be for the same subject");
                    }
                    socket.userData().put(Caller.KEY, caller);
                    return Optional.ofNullable(caller.expiresAt());
                });
    }

    @Override
    public Optional<Instant> expiresAt(WebSocketConnection socket) {
        Caller caller = socket.userData().get(Caller.KEY);
        return caller == null ? Optional.empty() : Optional.ofNullable(caller.expiresAt());
    }

    @Override
    public boolean mayWatch(WebSocketConnection socket, String ownerId) {
        if (!enabled) {
            return true;
        }
        Caller caller = socket.userData().get(Caller.KEY);
        return caller != null && caller.mayWatch(ownerId);
    }

    @Override
    public Optional<FeedScope> feedScope(WebSocketConnection socket) {
        if (!enabled) {
            return Optional.of(FeedScope.ALL);
        }
        Caller caller = socket.userData().get(Caller.KEY);
        if (caller == null) {
            return Optional.empty();
        }
        if (caller.isAdmin()) {
            return Optional.of(FeedScope.ALL);
        }
        return caller.subject() == null ? Optional.empty() : Optional.of(FeedScope.of(caller.subject()));
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

}

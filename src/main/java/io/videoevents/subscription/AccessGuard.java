package io.videoevents.subscription;

import java.time.Instant;
import java.util.Optional;

import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Uni;
import io.videoevents.video.FeedScope;
import io.videoevents.video.VideoState;

/**
 * Who may use a socket and watch which video. Declared here, implemented by the security package, so
 * the socket code has no knowledge of tokens.
 */
public interface AccessGuard {

    /** What a subscriber may learn about a video. */
    enum Decision {
        ALLOW, FORBIDDEN, NOT_FOUND
    }

    /** True when the socket has no caller yet and must send {@code {"type":"auth"}} before anything else. */
    boolean requiresAuthMessage(WebSocketConnection socket);

    /**
     * Verifies a token sent in an {@code auth} message and binds its caller to the socket (first time, or
     * replacing the token of the same caller). Completes with the token's expiry, if any; fails if the
     * token is not acceptable. The token itself never appears in a failure.
     */
    Uni<Optional<Instant>> authenticate(WebSocketConnection socket, String token);

    /** When the socket's current credentials expire, if ever. */
    Optional<Instant> expiresAt(WebSocketConnection socket);

    /** Whether the socket's caller may watch this video; {@code state} is empty if the video does not exist. */
    Decision decide(WebSocketConnection socket, Optional<VideoState> state);

    /** Whether the socket's caller may watch a video owned by {@code ownerId} (null: no owner). */
    boolean mayWatch(WebSocketConnection socket, String ownerId);

    /**
     * The videos the socket caller's feed holds: all of them (admins, or authentication off), or their own; empty
     * when the caller has no subject and is no admin (such a caller may watch no video).
     */
    Optional<FeedScope> feedScope(WebSocketConnection socket);
}

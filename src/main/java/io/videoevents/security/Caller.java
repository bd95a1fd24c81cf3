package io.videoevents.security;

import java.time.Instant;
import java.util.Set;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.quarkus.websockets.next.UserData;

/**
 * The verified holder of a token: {@code sub} and {@code groups}, and when the token expires. The
 * token itself is not kept.
 */
record Caller(String subject, Set<String> groups, Instant expiresAt) {

    static final String ADMIN = "video-admin";
    static final String WRITER = "video-writer";

    static final UserData.TypedKey<Caller> KEY = new UserData.TypedKey<>("video-events.caller");

    static Caller of(JsonWebToken token) {
        long exp = token.getExpirationTime();
        return new Caller(token.getSubject(), token.getGroups() == null ? Set.of() : Set.copyOf(token.getGroups()),
                exp > 0 ? Instant.ofEpochSecond(exp) : null);
    }

    boolean isAdmin() {
        return groups.contains(ADMIN);
    }

    boolean isWriter() {
        return groups.contains(WRITER);
    }

    /** The watch rule: admins see everything; others only what they own (a video without owner is admin-only). */
    boolean mayWatch(String ownerId) {
        return isAdmin() || (subject != null && subject.equals(ownerId));
    }
}

package io.videoevents.security;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Uni;
import io.videoevents.VideoEventsConfig;
import io.videoevents.video.ApiException;
import io.videoevents.video.Video;
import io.videoevents.video.VideoAccessPolicy;

/**
 * The rules of contract section 5 for REST, on the request's security identity. The same rules for sockets,
 * which keep their caller themselves, are {@link SocketAccess}; both go by {@link Caller#mayWatch}.
 *
 * <p>A caller who is neither the owner nor an admin gets the same refusal for a video that exists and
 * for one that does not ({@code 403} / {@code forbidden}): telling them apart would let anyone probe
 * which ids exist. Both cases take the same single query, so timing tells nothing either. Admins, who
 * may see everything, get {@code 404} / {@code not_found} for a missing video; so do writers changing
 * a status, since they are trusted services that need to know.
 */
@ApplicationScoped
public class AccessRules implements VideoAccessPolicy {

    private final boolean enabled;
    private final CurrentIdentityAssociation identities;

    AccessRules(VideoEventsConfig config, CurrentIdentityAssociation identities) {
        this.enabled = config.auth().enabled();
        this.identities = identities;
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
}

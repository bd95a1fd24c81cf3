package io.videoevents.video;

import java.util.List;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;

/**
 * The feed for clients that poll: the same snapshot pages and changes as the socket's feed, from the same log,
 * with the same cursors (a cursor from one works with the other, on any replica).
 */
@Path("/feed")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "feed", description = "Every video the caller may watch, then every change to them, for clients that poll:"
        + " the same pages and cursors as the socket's feed (docs/protocol.md, \"The feed\")")
@SecurityRequirement(name = "bearer")
@APIResponse(responseCode = "401", ref = "Unauthenticated")
@APIResponse(responseCode = "500", ref = "Internal")
public class FeedResource {

    private final FeedRepository feed;
    private final VideoAccessPolicy access;
    private final Divergences divergences;

    FeedResource(FeedRepository feed, VideoAccessPolicy access, Divergences divergences) {
        this.feed = feed;
        this.access = access;
        this.divergences = divergences;
    }

    @GET
    @Operation(operationId = "getFeed", summary = "The caller's feed: a snapshot of their videos, then every change",
            description = "Without a cursor: the first page of a snapshot of every video the caller may watch (all videos"
                    + " for `video-admin`, or while authentication is off). With a cursor: what follows it, snapshot pages and"
                    + " then changes. Call again with the returned cursor, at once while `more` is true, later to poll. A"
                    + " cursor the log no longer covers gets a new snapshot with `resync`.")
    @APIResponse(responseCode = "200", description = "A page: `videos` while the snapshot is read, `changes` after it",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = FeedPage.class)))
    @APIResponse(responseCode = "400", description = "A cursor this service did not give, or a limit out of range",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<FeedPage> page(
            @Parameter(description = "The `cursor` of the page before; absent to start with a snapshot") @QueryParam("cursor") String cursor,
            @Parameter(description = VideoResource.LIMIT, schema = @Schema(type = SchemaType.INTEGER, format = "int32", minimum = "1",
                    maximum = "" + VideoResource.MAX_LIMIT, defaultValue = "" + VideoResource.DEFAULT_LIMIT))
            @QueryParam("limit") String limit) {
        FeedCursor from = parseCursor(cursor);
        int size = VideoResource.parseLimit(limit);
        return access.listedOwner()
                .map(owner -> owner.map(FeedScope::of).orElse(FeedScope.ALL))
                .flatMap(scope -> from instanceof FeedCursor.Log log ? changes(scope, log, size)
                        : snapshot(scope, (FeedCursor.Snapshot) from, size, false));
    }

    private Uni<FeedPage> snapshot(FeedScope scope, FeedCursor.Snapshot from, int size, boolean resync) {
        return feed.snapshot(scope, from, size).flatMap(page -> {
            if (page.servable()) {
                return Uni.createFrom().item(new FeedPage(page.videos(), null, page.next().text(), !page.complete(),
                        resync ? Boolean.TRUE : null));
            }
            if (page.diverged()) {
                divergences.feed();
            }
            return snapshot(scope, null, size, true);
        });
    }

    private Uni<FeedPage> changes(FeedScope scope, FeedCursor.Log after, int size) {
        return feed.changes(scope, after, size).flatMap(read -> {
            if (!read.servable()) {
                if (read.diverged()) {
                    divergences.feed();
                }
                return snapshot(scope, null, size, true);
            }
            List<FeedEntry> entries = read.changes().stream().map(change -> FeedEntry.of(change, scope)).toList();
            // the cursor moves past the horizon even when nothing came, so a quiet feed's cursor never ages out of retention
            return Uni.createFrom().item(new FeedPage(null, entries, read.reached().text(), !read.complete(), null));
        });
    }

    private static FeedCursor parseCursor(String cursor) {
        if (cursor == null) {
            return null;
        }
        try {
            return FeedCursor.parse(cursor);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }

    /**
     * A page of the feed: {@code videos} while a snapshot is read ({@code resync} when it replaces a cursor that could
     * not be served), {@code changes} after it; {@code cursor} is where the next call starts; {@code more} says it
     * may start at once.
     */
    @RegisterForReflection
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    @Schema(description = "A page of the feed: `videos` while a snapshot is read, `changes` after it")
    public record FeedPage(
            @Schema(description = "A page of the snapshot, ordered by id") List<FeedVideo> videos,
            @Schema(description = "Changes after the snapshot, in the feed's order") List<FeedEntry> changes,
            @Schema(required = true, description = "Where the next call starts: pass it as `cursor`") String cursor,
            @Schema(required = true, description = "More can be read at once; when false, poll again later") boolean more,
            @Schema(description = "Present and true when this snapshot replaces a cursor that could not be served: drop what you had")
            Boolean resync) {
    }
}

package io.videoevents.video;

import java.util.List;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;

/**
 * The feed for clients that poll: the same snapshot pages and changes as the socket's feed, from the same log,
 * with the same cursors (a cursor from one works with the other, on any replica).
 */
@Path("/feed")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "feed")
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
    @Operation(summary = "The caller's feed: without a cursor the first page of a snapshot of every video they may watch; with"
            + " a cursor what follows it. Call again with the returned cursor: at once while more is true, later to poll")
    public Uni<FeedPage> page(@QueryParam("cursor") String cursor, @QueryParam("limit") String limit) {
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
    public record FeedPage(List<FeedVideo> videos, List<FeedEntry> changes, String cursor, boolean more, Boolean resync) {
    }
}

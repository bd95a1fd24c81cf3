package io.videoevents.video;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A row of the feed log as one feed shows it, over REST and (with its {@code type}) on sockets. An owner's
 * feed sees an owner change as {@code entered} or {@code left} and is not told who else owns the video; a
 * feed of all videos sees it as {@code owner}, with both owners; {@code left} carries no state, since the
 * video is no longer the reader's to see.
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({ "change", "videoId", "version", "status", "previousStatus", "ownerId", "previousOwnerId", "occurredAt",
        "cursor" })
public record FeedEntry(String change, String videoId, long version, String status, String previousStatus, String ownerId,
        String previousOwnerId, Instant occurredAt, String cursor) {

    /** {@code change} as a feed of {@code scope}'s kind sees it. */
    public static FeedEntry of(FeedChange change, FeedScope scope) {
        return of(change, scope.all());
    }

    /** {@code change} as a feed of all videos ({@code all}) or an owner's feed sees it. */
    public static FeedEntry of(FeedChange change, boolean all) {
        String kind = switch (change.kind()) {
            case CREATED -> "created";
            case STATUS -> "status";
            case DELETED -> "deleted";
            case ENTERED -> all ? "owner" : "entered";
            case LEFT -> "left";
        };
        boolean left = change.kind() == FeedChange.Kind.LEFT;
        return new FeedEntry(kind, change.videoId(), change.version(), left ? null : change.status(),
                left ? null : change.previousStatus(), left ? null : change.ownerId(),
                all && change.kind() == FeedChange.Kind.ENTERED ? change.previousOwnerId() : null, change.occurredAt(),
                change.cursor().text());
    }
}

package io.videoevents.video;

import java.time.Instant;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

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
@Schema(description = "One change of the feed; the video's state after it (docs/protocol.md, \"The feed\")")
public record FeedEntry(
        @Schema(required = true, enumeration = { "created", "status", "entered", "owner", "left", "deleted" },
                description = "What happened: `entered` and `left` when the video became or stopped being the caller's,"
                        + " `owner` (feeds of all videos) when its owner changed") String change,
        @Schema(required = true) String videoId,
        @Schema(required = true) long version,
        @Schema(ref = "VideoStatus", description = "Absent for `left`") String status,
        @Schema(ref = "VideoStatus", description = "Present when the status changed") String previousStatus,
        @Schema(description = "Absent for `left` and for a video no one owns") String ownerId,
        @Schema(description = "`owner` changes only") String previousOwnerId,
        @Schema(required = true) Instant occurredAt,
        @Schema(required = true, description = "Resume after this change: pass it as `cursor`") String cursor) {

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

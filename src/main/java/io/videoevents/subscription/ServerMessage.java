package io.videoevents.subscription;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** Everything the server sends over a socket: one JSON object per text frame, told apart by {@code type}. */
public sealed interface ServerMessage {

    /**
     * The video's current state, sent first, or instead of a replay the log cannot serve ({@code resync}: retention took
     * it, or the history the client was continuing is not this database's). {@code tag}: the {@link
     * io.videoevents.video.ChangeTag} of the change that set this version, for the client's next {@code after}.
     */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({ "type", "videoId", "version", "status", "updatedAt", "resync", "tag" })
    record Snapshot(String videoId, long version, String status, Instant updatedAt, Boolean resync, String tag)
            implements ServerMessage {
        @JsonProperty("type")
        public String type() {
            return "snapshot";
        }
    }

    /** One committed status change, with its {@link io.videoevents.video.ChangeTag}. */
    @RegisterForReflection
    @JsonPropertyOrder({ "type", "videoId", "version", "status", "previousStatus", "occurredAt", "tag" })
    record Status(String videoId, long version, String status, String previousStatus, Instant occurredAt,
            @JsonInclude(JsonInclude.Include.NON_NULL) String tag) implements ServerMessage {
        @JsonProperty("type")
        public String type() {
            return "status";
        }
    }

    /** The video was deleted: nothing more of this stream follows (a video created again under the id is a new stream). */
    @RegisterForReflection
    @JsonPropertyOrder({ "type", "videoId" })
    record Deleted(String videoId) implements ServerMessage {
        @JsonProperty("type")
        public String type() {
            return "deleted";
        }
    }

    /** Answer to {@code subscribe} on {@code /events}; the video's snapshot or replay follows. */
    @RegisterForReflection
    @JsonPropertyOrder({ "type", "videoId" })
    record Subscribed(String videoId) implements ServerMessage {
        @JsonProperty("type")
        public String type() {
            return "subscribed";
        }
    }

    /** Answer to {@code unsubscribe}; nothing more of that video follows. */
    @RegisterForReflection
    @JsonPropertyOrder({ "type", "videoId" })
    record Unsubscribed(String videoId) implements ServerMessage {
        @JsonProperty("type")
        public String type() {
            return "unsubscribed";
        }
    }

    /**
     * A refusal or failure; {@code code} is one of the contract's error codes. {@code feed} is true when it
     * concerns the socket's feed rather than one video.
     */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({ "type", "code", "message", "videoId", "feed" })
    record Error(String code, String message, String videoId, Boolean feed) implements ServerMessage {
        Error(String code, String message, String videoId) {
            this(code, message, videoId, null);
        }

        @JsonProperty("type")
        public String type() {
            return "error";
        }
    }

    /** Answer to {@code subscribeFeed}: which videos the feed holds ({@code all}, or the caller's: {@code owner}). */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({ "type", "scope", "ownerId" })
    record FeedSubscribed(String scope, String ownerId) implements ServerMessage {
        @JsonProperty("type")
        public String type() {
            return "feedSubscribed";
        }
    }

    /**
     * One page of the feed's videos as they are now, ordered by id. {@code complete} on the last page, whose
     * cursor then continues with the changes; {@code resync} on the first page when the cursor given could not be
     * served (older than the log keeps): the client replaces what it had with these pages.
     */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({ "type", "videos", "complete", "resync", "cursor" })
    record FeedSnapshot(java.util.List<io.videoevents.video.FeedVideo> videos, boolean complete, Boolean resync, String cursor)
            implements ServerMessage {
        @JsonProperty("type")
        public String type() {
            return "feedSnapshot";
        }
    }

    /**
     * One change of the feed, in the log's order, with the video's state after it: {@code created},
     * {@code status}, {@code deleted}; for an owner's feed {@code entered} / {@code left} when the video's owner
     * changed to / from them; for a feed of all videos {@code owner} when its owner changed.
     */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({ "type", "change", "videoId", "version", "status", "previousStatus", "ownerId", "previousOwnerId",
            "occurredAt", "cursor" })
    record FeedChange(String change, String videoId, long version, String status, String previousStatus, String ownerId,
            String previousOwnerId, Instant occurredAt, String cursor) implements ServerMessage {
        @JsonProperty("type")
        public String type() {
            return "feed";
        }
    }

    /** Answer to {@code unsubscribeFeed}; nothing more of the feed follows. */
    @RegisterForReflection
    @JsonPropertyOrder({ "type" })
    record FeedUnsubscribed() implements ServerMessage {
        @JsonProperty("type")
        public String type() {
            return "feedUnsubscribed";
        }
    }
}

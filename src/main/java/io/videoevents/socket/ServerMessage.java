package io.videoevents.socket;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** Everything the server sends over a socket: one JSON object per text frame, told apart by {@code type}. */
public sealed interface ServerMessage {

    /** The video's current state, sent first (or instead of a replay that retention no longer allows: {@code resync}). */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({ "type", "videoId", "version", "status", "updatedAt", "resync" })
    record Snapshot(String videoId, long version, String status, Instant updatedAt, Boolean resync) implements ServerMessage {
        @JsonProperty("type")
        public String type() {
            return "snapshot";
        }
    }

    /** One committed status change. */
    @RegisterForReflection
    @JsonPropertyOrder({ "type", "videoId", "version", "status", "previousStatus", "occurredAt" })
    record Status(String videoId, long version, String status, String previousStatus, Instant occurredAt)
            implements ServerMessage {
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

    /** A refusal or failure; {@code code} is one of the contract's error codes. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({ "type", "code", "message", "videoId" })
    record Error(String code, String message, String videoId) implements ServerMessage {
        @JsonProperty("type")
        public String type() {
            return "error";
        }
    }
}

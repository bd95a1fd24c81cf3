package io.videoevents.video;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** A video as a feed's snapshot lists it: its current status and version, and its owner (when set). */
@RegisterForReflection
@JsonPropertyOrder({ "videoId", "version", "status", "updatedAt", "ownerId" })
public record FeedVideo(String videoId, long version, String status, Instant updatedAt,
        @JsonInclude(JsonInclude.Include.NON_NULL) String ownerId) {
}

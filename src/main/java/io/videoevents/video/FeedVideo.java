package io.videoevents.video;

import java.time.Instant;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** A video as a feed's snapshot lists it: its current status and version, and its owner (when set). */
@RegisterForReflection
@JsonPropertyOrder({ "videoId", "version", "status", "updatedAt", "ownerId" })
@Schema(description = "A video as the feed's snapshot lists it")
public record FeedVideo(@Schema(required = true) String videoId, @Schema(required = true) long version,
        @Schema(required = true, ref = "VideoStatus") String status, @Schema(required = true) Instant updatedAt,
        @Schema(description = "Its owner; absent when no one owns it") @JsonInclude(JsonInclude.Include.NON_NULL) String ownerId) {
}

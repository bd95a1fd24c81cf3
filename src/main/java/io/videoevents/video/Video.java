package io.videoevents.video;

import java.time.Instant;
import java.time.OffsetDateTime;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.vertx.mutiny.sqlclient.Row;

/** A row of {@code videos} as the REST API shows it ({@code ownerId} only when set). */
@RegisterForReflection
@Schema(description = "A video with its current status and version")
public record Video(
        @Schema(required = true, examples = "v-123") String id,
        @Schema(required = true, ref = "VideoStatus") String status,
        @Schema(required = true, description = "The version of the current status: 1 at creation, one more per change")
        long version,
        @Schema(required = true) String rawFilePath,
        @Schema(required = true, nullable = true, description = "Set by a worker once processed; null until then")
        String processedFilePath,
        @Schema(required = true) Instant createdAt,
        @Schema(required = true) Instant updatedAt,
        @Schema(description = "Who owns it (a token's `sub`); absent when no one does")
        @JsonInclude(JsonInclude.Include.NON_NULL) String ownerId) {

    static final String COLUMNS = "id, processing_status, status_version, raw_file_path, processed_file_path, created_at, updated_at,"
            + " owner_id";

    static Video from(Row row) {
        return new Video(
                row.getString("id"),
                row.getString("processing_status"),
                row.getLong("status_version"),
                row.getString("raw_file_path"),
                row.getString("processed_file_path"),
                instant(row.getOffsetDateTime("created_at")),
                instant(row.getOffsetDateTime("updated_at")),
                row.getString("owner_id"));
    }

    static Instant instant(OffsetDateTime time) {
        return time == null ? null : time.toInstant();
    }
}

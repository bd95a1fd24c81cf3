package io.videoevents.video;

import java.time.Instant;
import java.time.OffsetDateTime;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.vertx.mutiny.sqlclient.Row;

/** A row of {@code videos} as the REST API shows it ({@code ownerId} only when set). */
@RegisterForReflection
public record Video(
        String id,
        String status,
        long version,
        String rawFilePath,
        String processedFilePath,
        Instant createdAt,
        Instant updatedAt,
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

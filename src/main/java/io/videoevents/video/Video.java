package io.videoevents.video;

import java.time.Instant;
import java.time.OffsetDateTime;

import io.vertx.mutiny.sqlclient.Row;

/** A row of {@code videos} as the REST API shows it. */
public record Video(
        String id,
        String status,
        long version,
        String rawFilePath,
        String processedFilePath,
        Instant createdAt,
        Instant updatedAt) {

    static final String COLUMNS = "id, processing_status, status_version, raw_file_path, processed_file_path, created_at, updated_at";

    static Video from(Row row) {
        return new Video(
                row.getString("id"),
                row.getString("processing_status"),
                row.getLong("status_version"),
                row.getString("raw_file_path"),
                row.getString("processed_file_path"),
                instant(row.getOffsetDateTime("created_at")),
                instant(row.getOffsetDateTime("updated_at")));
    }

    static Instant instant(OffsetDateTime time) {
        return time == null ? null : time.toInstant();
    }
}

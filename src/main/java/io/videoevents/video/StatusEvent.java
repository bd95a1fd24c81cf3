package io.videoevents.video;

import java.time.Instant;

import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.vertx.mutiny.sqlclient.Row;

/** One row of the event log: the change of a video's status to {@code status} at {@code version}. */
@RegisterForReflection
@Schema(description = "One event of a video's log: its status became `status` at `version`")
public record StatusEvent(
        @Schema(required = true) String videoId,
        @Schema(required = true) long version,
        @Schema(required = true, ref = "VideoStatus") String status,
        @Schema(required = true, nullable = true, type = SchemaType.STRING,
                description = "The status before (a VideoStatus); null for version 1, the creation") String previousStatus,
        @Schema(required = true) Instant occurredAt) {

    static final String COLUMNS = "video_id, version, status, previous_status, occurred_at";

    static StatusEvent from(Row row) {
        return new StatusEvent(
                row.getString("video_id"),
                row.getLong("version"),
                row.getString("status"),
                row.getString("previous_status"),
                Video.instant(row.getOffsetDateTime("occurred_at")));
    }
}

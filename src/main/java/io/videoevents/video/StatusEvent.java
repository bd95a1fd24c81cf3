package io.videoevents.video;

import java.time.Instant;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.vertx.mutiny.sqlclient.Row;

/** One row of the event log: the change of a video's status to {@code status} at {@code version}. */
@RegisterForReflection
public record StatusEvent(
        String videoId,
        long version,
        String status,
        String previousStatus,
        Instant occurredAt) {

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

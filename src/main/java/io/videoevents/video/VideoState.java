package io.videoevents.video;

import java.time.Instant;

/**
 * A video's current status with its version, the oldest version its event log still holds (older
 * ones were removed by retention), and its owner (null: admins only).
 */
public record VideoState(String videoId, long version, String status, Instant updatedAt, long oldestLoggedVersion,
        String ownerId) {
}

package io.videoevents.video;

import java.time.Instant;

/**
 * A video's current status with its version, and the oldest version its event log still holds
 * (older ones were removed by retention).
 */
public record VideoState(String videoId, long version, String status, Instant updatedAt, long oldestLoggedVersion) {
}

package io.videoevents.video;

import java.time.Instant;

/**
 * A video's current status with its version, the oldest version its event log still holds (older
 * ones were removed by retention), its owner (null: admins only), and the {@link ChangeTag} of the change that
 * set this version (0 when the log no longer holds it).
 */
public record VideoState(String videoId, long version, String status, Instant updatedAt, long oldestLoggedVersion,
        String ownerId, long tag) {

    /** A state whose change is not known (its tag is 0). */
    public VideoState(String videoId, long version, String status, Instant updatedAt, long oldestLoggedVersion, String ownerId) {
        this(videoId, version, status, updatedAt, oldestLoggedVersion, ownerId, 0);
    }
}

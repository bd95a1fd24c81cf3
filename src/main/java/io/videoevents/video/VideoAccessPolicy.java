package io.videoevents.video;

import java.util.Optional;

import io.smallrye.mutiny.Uni;

/**
 * Who may do what over REST. Declared here and implemented by the security package, so this package
 * stays free of tokens. Refusals fail the Uni with an {@link ApiException} (401, 403 or 404).
 */
public interface VideoAccessPolicy {

    /** Creating videos and changing their status: the group {@code video-writer}. */
    Uni<Void> requireWriter();

    /** Reading one video or its history: its owner or {@code video-admin}; {@code video} is empty if it does not exist. */
    Uni<Void> requireReader(String id, Optional<Video> video);

    /** Listing: empty for every video, else only the videos of this owner. */
    Uni<Optional<String>> listedOwner();

    /** The owner a new video gets when the request names none: the caller, when there is one. */
    Uni<Optional<String>> defaultOwner();
}

package io.videoevents.subscription;

import java.util.OptionalLong;

/**
 * Where a client resumes a video's stream: after the version it received last ({@code after}; empty: from a
 * snapshot), and the {@link io.videoevents.video.ChangeTag} of that change if it sent one (0: a client that sends
 * only the number, as clients written before tags do).
 */
public record Resume(OptionalLong after, long tag) {

    public static final Resume SNAPSHOT = new Resume(OptionalLong.empty(), 0);

    public Resume {
        if (after.isEmpty() && tag != 0) {
            throw new IllegalArgumentException("tag goes with after: the tag of the change at that version");
        }
    }
}

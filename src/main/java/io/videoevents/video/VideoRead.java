package io.videoevents.video;

import java.util.List;
import java.util.Optional;

/**
 * One consistent look at a video, all from one snapshot of the database: its current state (empty if the
 * row does not exist), the last version of the stream that was deleted under this id, if any, and the
 * log's events after a version, oldest first.
 *
 * @param state the row now, or empty
 * @param deletedThrough last version of the latest deleted stream of this id; 0 if the id was never deleted
 * @param deletedOwner the owner of that stream when it was deleted (null: none, or never deleted)
 * @param events log rows with {@code version > after}, at most the limit asked for
 * @param complete true when {@code events} holds every such row (fewer than the limit came back)
 * @param afterTag the {@link ChangeTag} of the logged change at version {@code after} itself, which a reader compares
 *        with the one it was given (or sent) to know that the history it continues is this database's; 0 when the log
 *        holds no such change (version 0, a change retention removed, a version the database does not have)
 */
public record VideoRead(Optional<VideoState> state, long deletedThrough, String deletedOwner, List<StatusEvent> events,
        boolean complete, long afterTag) {

    /** A read that says nothing of the change at {@code after}. */
    public VideoRead(Optional<VideoState> state, long deletedThrough, String deletedOwner, List<StatusEvent> events,
            boolean complete) {
        this(state, deletedThrough, deletedOwner, events, complete, 0);
    }
}

package io.videoevents.notify;

import io.videoevents.video.StatusEvent;

/**
 * What the LISTEN connection reports, as one typed stream: committed status changes, and the moments
 * the connection is lost and LISTENs again. Sealed, so a {@code switch} over it is checked to be complete.
 */
public sealed interface ListenerEvent {

    /** A committed status change announced by the trigger. */
    record StatusChanged(StatusEvent event) implements ListenerEvent {
    }

    /**
     * The connection LISTENs. {@code reconnected} is true when an earlier connection was lost, so
     * notifications may have been missed and anyone holding state must check the log.
     */
    record Listening(boolean reconnected) implements ListenerEvent {
    }

    /** The connection is gone; notifications are missed until the next {@link Listening}. */
    record ConnectionLost() implements ListenerEvent {
    }
}

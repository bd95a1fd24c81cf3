package io.videoevents.notify;

import io.videoevents.video.StatusEvent;

/**
 * What the LISTEN connection reports, as one typed stream: committed status changes, the doorbells for
 * changes of a row that are not status events (a deletion, an owner change), and the moments the
 * connection is lost and LISTENs again. In {@code nats} mode a replica gets the same stream from the relays, each
 * status change once (the other relay's copy is dropped before it), and "LISTENs" means that a relay whose LISTEN
 * is up is heard; a doorbell may then come once per relay. Sealed, so a {@code switch} over it is checked to be complete.
 */
public sealed interface ListenerEvent {

    /**
     * A committed status change announced by the trigger; its signature was verified. {@code traceparent} is the W3C
     * trace context the worker's transaction gave it ({@code video_events.traceparent}), signed with it; null if none.
     */
    record StatusChanged(StatusEvent event, String traceparent) implements ListenerEvent {
        public StatusChanged(StatusEvent event) {
            this(event, null);
        }
    }

    /**
     * The row of a video was deleted, or so says a notification. It carries no content: whoever watches
     * the video must read the row (and its tombstone) before trusting anything newer.
     */
    record VideoDeleted(String videoId) implements ListenerEvent {
    }

    /** The owner of a video changed, or so says a notification: whoever watches it must check access again. */
    record AccessChanged(String videoId) implements ListenerEvent {
    }

    /**
     * The connection LISTENs. {@code reconnected} is true when an earlier connection was lost (in {@code nats}
     * mode: live events stopped, or a relay LISTENed anew), so notifications may have been missed and anyone
     * holding state must check the log.
     */
    record Listening(boolean reconnected) implements ListenerEvent {
    }

    /** The connection is gone; notifications are missed until the next {@link Listening}. */
    record ConnectionLost() implements ListenerEvent {
    }
}

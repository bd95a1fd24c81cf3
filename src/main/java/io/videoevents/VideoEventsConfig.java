package io.videoevents;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Every setting of video-events in one place, under the prefix {@code video-events}
 * ({@code VIDEO_EVENTS_...} in the environment). The database itself is configured the standard
 * Quarkus way ({@code quarkus.datasource.*}); only what is ours lives here.
 */
@ConfigMapping(prefix = "video-events")
public interface VideoEventsConfig {

    /** The LISTEN connection. */
    Listener listener();

    /** Per-socket limits. */
    Socket socket();

    interface Listener {

        /**
         * A separate URL for the LISTEN connection, in the form of {@code quarkus.datasource.reactive.url}.
         * Needed when the pool goes through a pooler in transaction mode, where LISTEN does not work:
         * point this at PostgreSQL directly (or at a session-mode pooler). Credentials still come from
         * {@code quarkus.datasource.username/password}. Unset: the datasource's reactive URL is used.
         */
        Optional<String> url();

        /** Channel the trigger notifies on. It is part of the schema; change both or neither. */
        @WithDefault("video_status_events")
        String channel();

        /** First delay before reconnecting a lost LISTEN connection; it doubles up to {@link #reconnectMaxDelay()}. */
        @WithDefault("100ms")
        Duration reconnectInitialDelay();

        /** Longest delay between two attempts to (re)connect the LISTEN connection. Attempts never stop. */
        @WithDefault("5s")
        Duration reconnectMaxDelay();
    }

    interface Socket {

        /** Frames a connection may have written but not yet flushed to the client before it counts as too slow (close 4408). */
        @WithDefault("1000")
        int maxQueuedMessages();

        /** Bytes a connection may have written but not yet flushed to the client before it counts as too slow (close 4408). */
        @WithDefault("1048576")
        long maxQueuedBytes();
    }
}

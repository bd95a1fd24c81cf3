package io.videoevents.ops;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.micrometer.core.instrument.config.MeterFilter;
import io.videoevents.notify.StatusListener;

/**
 * Keeps the SQL client meters of the LISTEN connection out of the registry. Vert.x meters each connection that is
 * not in a pool, and Quarkus registers every such connection's gauges under one id, so the listener's second
 * connection (it reads the signing key first, then LISTENs; later ones are reconnects) collided with the first and
 * Micrometer warned at every start. What the listener's connection does is in the service's own series
 * ({@code video_events_listener_up}, {@code video_events_listener_reconnects_total}); the pool's meters stay.
 */
@Singleton
public class ListenerConnectionMeters {

    @Produces
    @Singleton
    MeterFilter withoutListenerConnectionMeters() {
        return MeterFilter.denyNameStartsWith(StatusListener.METRICS_NAME + ".");
    }
}

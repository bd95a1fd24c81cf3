package io.videoevents.ops;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.videoevents.notify.StatusListener;

/**
 * Leaves out the SQL client meters that cannot be right. Vert.x meters each database connection, and Quarkus
 * registers the gauges of every connection (its waiting queue and its requests in flight, {@code <client>.queue.size} and
 * {@code <client>.current}, tagged {@code clientType=sql}) under one id each: the registry keeps the first connection's
 * and drops the others', and Micrometer
 * warns at the second connection, which for the pool comes whenever two open at once and for the LISTEN connection at
 * every start (it reads the signing key on one connection, then LISTENs on another). The pool's own series
 * ({@code sql_pool_queue_size}, {@code sql_pool_active}, on the dashboard) say how many queries wait and run; the listener's connection is described by
 * the service's own series ({@code video_events_listener_up}, {@code video_events_listener_reconnects_total}), so its
 * client meters go entirely. The pool's other client meters (requests, their time) stay.
 */
@Singleton
public class SqlClientMeters {

    @Produces
    @Singleton
    MeterFilter withoutListenerConnectionMeters() {
        return MeterFilter.denyNameStartsWith(StatusListener.METRICS_NAME + ".");
    }

    @Produces
    @Singleton
    MeterFilter withoutPerConnectionGauges() {
        return MeterFilter.deny(id -> id.getType() == Meter.Type.GAUGE && "sql".equals(id.getTag("clientType")));
    }
}

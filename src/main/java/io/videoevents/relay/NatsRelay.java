package io.videoevents.relay;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.nats.client.Connection;
import io.quarkus.logging.Log;
import io.videoevents.VideoEventsConfig;
import io.vertx.core.Vertx;

/**
 * A relay's side of {@code nats} mode: every notification its LISTEN connection receives (and verified) goes to
 * NATS unchanged, so the replicas verify the same signature; a heartbeat says who this relay is, which LISTEN
 * generation it is on and whether that LISTEN is up, signed with the same key and stamped with a time that only
 * grows, so that a replica takes neither a forged heartbeat nor a copy of an old one. Core NATS is fire-and-forget, and that is enough: the event log
 * is the record, and a relay that may have missed or failed to pass on something starts a new generation, which
 * makes every replica check the log.
 *
 * <p>{@link #publish} runs on the LISTEN connection's event loop and never waits: jnats queues the message, and
 * drops it when its queue is full (a new generation then).
 */
public final class NatsRelay implements NatsLink.Events {

    private final Vertx vertx;
    private final VideoEventsConfig.Fanout.Nats config;
    private final BooleanSupplier listening;
    private final NatsLink link;
    private final String id;
    private final Counter published;
    private final Counter unpublished;
    private final AtomicLong generation = new AtomicLong();
    private long timer = -1;
    /** Signs the heartbeats; set once the key is read (no heartbeat goes out before). Used under this object's lock. */
    private volatile HeartbeatKey signature;
    private long lastHeartbeatAt;
    private long unpublishedSinceWarning;
    private long lastUnpublishedWarning;

    public NatsRelay(Vertx vertx, VideoEventsConfig.Fanout.Nats config, MeterRegistry registry, BooleanSupplier listening) {
        this.vertx = vertx;
        this.config = config;
        this.listening = listening;
        this.id = relayId();
        this.link = new NatsLink(vertx, config, "video-events-relay-" + id, true, this);
        this.published = Counter.builder("video.events.relay.published")
                .description("notifications this relay published to NATS").register(registry);
        this.unpublished = Counter.builder("video.events.relay.unpublished")
                .description("notifications this relay could not publish to NATS (each starts a new generation: replicas check the log)")
                .register(registry);
        registry.gauge("video.events.nats.connected", this, r -> r.link.connected() ? 1 : 0);
    }

    /** The pod's name where there is one (Kubernetes sets HOSTNAME), and a random part: unique per process. */
    private static String relayId() {
        String host = System.getenv().getOrDefault("HOSTNAME", "relay").replaceAll("[^A-Za-z0-9._-]", "");
        if (host.isEmpty() || host.length() > 100) {
            host = "relay";
        }
        return host + "-" + UUID.randomUUID().toString().substring(0, 8).toLowerCase(Locale.ROOT);
    }

    public String id() {
        return id;
    }

    /** The trigger's key, to sign heartbeats with; until it is set, none is published (nor is anything LISTENed). */
    public void signWith(HeartbeatKey signature) {
        this.signature = signature;
        heartbeat();
    }

    public void start() {
        link.start();
        long every = Math.max(10, config.heartbeatInterval().toMillis());
        timer = vertx.setPeriodic(every, every, t -> heartbeat());
    }

    public void stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        if (link.connected()) {
            // the replicas learn at once that this relay's LISTEN ends, instead of after the silence window
            publishHeartbeat(false);
            try {
                link.connection().flush(java.time.Duration.ofSeconds(1));
            } catch (Exception e) {
                Log.debugf("could not flush the last heartbeat: %s", e.getMessage());
            }
        }
        link.stop();
    }

    public boolean connected() {
        return link.connected();
    }

    /** One notification's payload, exactly as PostgreSQL delivered it. */
    public void publish(String payload) {
        Connection connection = link.connection();
        if (connection == null) {
            unpublished("not connected to NATS yet");
            return;
        }
        try {
            connection.publish(config.subject(), payload.getBytes(StandardCharsets.UTF_8));
            published.increment();
        } catch (RuntimeException e) {
            unpublished(e.getMessage());
        }
    }

    /** The LISTEN connection LISTENs (again): a new generation, announced at once. */
    public void listening() {
        generation.incrementAndGet();
        heartbeat();
    }

    /** The LISTEN connection is lost: said at once, so replicas with no other relay stop trusting live events. */
    public void lost() {
        heartbeat();
    }

    private void heartbeat() {
        publishHeartbeat(listening.getAsBoolean());
    }

    private void publishHeartbeat(boolean up) {
        Connection connection = link.connection();
        if (connection == null) {
            return;
        }
        HeartbeatKey key = signature;
        if (key == null) {
            return;
        }
        synchronized (this) {
            // a time that only grows, even within one millisecond or when the clock steps back: replicas refuse repeats;
            // published under the lock, so the heartbeats leave in the order of their times
            long at = Math.max(System.currentTimeMillis(), lastHeartbeatAt + 1);
            lastHeartbeatAt = at;
            long current = generation.get();
            try {
                connection.publish(config.heartbeatSubject(),
                        new RelayHeartbeat(id, current, up, at, key.signHeartbeat(id, current, up, at)).toBytes());
            } catch (RuntimeException e) {
                Log.debugf("could not publish the heartbeat: %s", e.getMessage());
            }
        }
    }

    @Override
    public void connected(Connection connection) {
        heartbeat();
    }

    @Override
    public void disconnected() {
        // jnats keeps what is published meanwhile in its reconnect buffer and sends it once reconnected
    }

    @Override
    public void reconnected() {
        heartbeat();
    }

    @Override
    public void dropped(String what) {
        unpublished(what);
    }

    /** A notification the replicas will not get from this relay: a new generation makes them check the log. */
    private synchronized void unpublished(String why) {
        unpublished.increment();
        generation.incrementAndGet();
        unpublishedSinceWarning++;
        long now = System.nanoTime();
        if (lastUnpublishedWarning == 0 || now - lastUnpublishedWarning > 10_000_000_000L) {
            Log.warnf("relay %s could not publish %d notification(s) to NATS (%s); replicas will check the log", id,
                    unpublishedSinceWarning, why);
            lastUnpublishedWarning = now;
            unpublishedSinceWarning = 0;
        }
    }
}

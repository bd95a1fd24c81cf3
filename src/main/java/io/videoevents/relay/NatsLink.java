package io.videoevents.relay;

import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.Consumer;
import io.nats.client.ErrorListener;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.quarkus.logging.Log;
import io.videoevents.VideoEventsConfig;
import io.vertx.core.Vertx;

/**
 * This instance's one NATS connection in {@code nats} mode. The first connect is retried here until it succeeds
 * (jnats' reconnect logic covers only a connection that was up), so an instance that starts before NATS recovers by
 * itself; afterwards jnats reconnects forever and re-subscribes. What happens on the way is told to the owner.
 */
public final class NatsLink implements ConnectionListener, ErrorListener {

    /** What the owner hears of the connection. */
    interface Events {
        /** The first connect succeeded: subscribe here (jnats keeps the subscriptions across reconnects). */
        void connected(Connection connection);

        void disconnected();

        void reconnected();

        /** Messages were dropped by the client: a subscriber too slow, or a publish with the outgoing queue full. */
        void dropped(String what);
    }

    private final Vertx vertx;
    private final VideoEventsConfig.Fanout.Nats config;
    private final String name;
    private final Events events;
    private final boolean discardWhenFull;
    private volatile Connection connection;
    private volatile boolean stopped;

    NatsLink(Vertx vertx, VideoEventsConfig.Fanout.Nats config, String name, boolean discardWhenFull, Events events) {
        this.vertx = vertx;
        this.config = config;
        this.name = name;
        this.discardWhenFull = discardWhenFull;
        this.events = events;
    }

    public static String url(VideoEventsConfig.Fanout.Nats config) {
        return config.url().filter(u -> !u.isBlank()).orElseThrow(() -> new IllegalStateException(
                "video-events.fanout.mode=nats needs a NATS server: set VIDEO_EVENTS_FANOUT_NATS_URL (nats://host:4222)"));
    }

    Options options() {
        long heartbeat = Math.max(100, config.heartbeatInterval().toMillis());
        Options.Builder builder = new Options.Builder()
                .servers(url(config).split(","))
                .connectionName(name)
                .maxReconnects(-1)
                .reconnectWait(config.reconnectWait())
                .reconnectJitter(config.reconnectWait().dividedBy(2))
                .connectionTimeout(config.connectTimeout())
                // a server that vanished without closing the connection is noticed within a few heartbeats
                .pingInterval(java.time.Duration.ofMillis(heartbeat * Math.max(1, config.heartbeatMisses())))
                .maxPingsOut(2)
                .connectionListener(this)
                .errorListener(this);
        if (discardWhenFull) {
            // a relay publishes from the LISTEN connection's event loop, which must never wait for NATS
            builder.discardMessagesWhenOutgoingQueueFull();
        }
        return builder.build();
    }

    void start() {
        connect(options(), 0);
    }

    private void connect(Options options, int attempt) {
        if (stopped) {
            return;
        }
        vertx.<Connection> executeBlocking(() -> Nats.connect(options), false).onComplete(result -> {
            if (result.succeeded()) {
                connection = result.result();
                if (stopped) {
                    close();
                    return;
                }
                Log.infof("connected to NATS at %s as %s", connection.getConnectedUrl(), name);
                events.connected(connection);
                return;
            }
            long delay = Math.min(5_000, Math.max(100, config.reconnectWait().toMillis()) << Math.min(attempt, 6));
            Log.warnf("cannot connect to NATS at %s (%s); retrying in %d ms", url(config), result.cause().getMessage(), delay);
            vertx.setTimer(delay, t -> connect(options, attempt + 1));
        });
    }

    /** The connection once the first connect succeeded, whatever its state now; null before. */
    Connection connection() {
        return connection;
    }

    boolean connected() {
        Connection c = connection;
        return c != null && c.getStatus() == Connection.Status.CONNECTED;
    }

    void stop() {
        stopped = true;
        close();
    }

    private void close() {
        Connection c = connection;
        if (c != null) {
            try {
                c.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void connectionEvent(Connection conn, ConnectionListener.Events type) {
        if (stopped) {
            return;
        }
        switch (type) {
            case DISCONNECTED -> {
                Log.warnf("lost the NATS connection (%s)", name);
                events.disconnected();
            }
            case RECONNECTED -> {
                Log.infof("reconnected to NATS at %s (%s)", conn.getConnectedUrl(), name);
                events.reconnected();
            }
            default -> Log.debugf("NATS connection event %s (%s)", type, name);
        }
    }

    @Override
    public void errorOccurred(Connection conn, String error) {
        Log.warnf("NATS reports an error (%s): %s", name, error);
    }

    @Override
    public void exceptionOccurred(Connection conn, Exception exp) {
        Log.debugf("NATS connection exception (%s): %s", name, exp.toString());
    }

    @Override
    public void slowConsumerDetected(Connection conn, Consumer consumer) {
        events.dropped("messages arrived faster than they were handled; the client dropped some");
    }

    @Override
    public void messageDiscarded(Connection conn, Message message) {
        events.dropped("the outgoing queue to NATS was full; a message was discarded");
    }
}

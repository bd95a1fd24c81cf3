package io.videoevents.notify;

import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

import io.micrometer.core.instrument.MeterRegistry;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.quarkus.logging.Log;
import io.videoevents.VideoEventsConfig;
import io.vertx.core.Vertx;

/**
 * A replica's live events in {@code nats} mode, in place of a LISTEN connection: the trigger's payloads as the
 * relays publish them, and the relays' heartbeats, which tell whether anybody LISTENs for this replica. Both
 * subjects share one dispatcher, so a heartbeat is handled after every payload that arrived before it. Payloads
 * go straight to the owner (who parses and verifies them as it would a NOTIFY); what the heartbeats and the
 * connection mean is {@link RelayWatch}'s call.
 */
final class NatsFeed implements NatsLink.Events {

    private final Vertx vertx;
    private final VideoEventsConfig.Fanout.Nats config;
    private final Consumer<String> payloads;
    private final Consumer<RelayWatch.Signal> signals;
    private final NatsLink link;
    private final RelayWatch watch;
    private volatile boolean up;
    private volatile String problem = "no relay heard yet";
    private long timer = -1;
    private long malformedSinceWarning;
    private long lastMalformedWarning;

    NatsFeed(Vertx vertx, VideoEventsConfig.Fanout.Nats config, MeterRegistry registry, Consumer<String> payloads,
            Consumer<RelayWatch.Signal> signals) {
        this.vertx = vertx;
        this.config = config;
        this.payloads = payloads;
        this.signals = signals;
        long interval = Math.max(10, config.heartbeatInterval().toMillis());
        this.watch = new RelayWatch(interval * Math.max(1, config.heartbeatMisses()) * 1_000_000L);
        this.link = new NatsLink(vertx, config, "video-events-replica", false, this);
        registry.gauge("video.events.nats.connected", this, f -> f.link.connected() ? 1 : 0);
        registry.gauge("video.events.relays.listening", this, f -> f.listeningRelays());
    }

    void start() {
        link.start();
        long every = Math.max(10, config.heartbeatInterval().toMillis());
        timer = vertx.setPeriodic(every, every, t -> tick());
    }

    void stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        link.stop();
    }

    /** True while a relay whose LISTEN is up is heard: live events reach this replica. */
    boolean isUp() {
        return up;
    }

    /** Why live events do not reach this replica, or null while they do. */
    String problem() {
        return problem;
    }

    @Override
    public void connected(Connection connection) {
        Dispatcher dispatcher = connection.createDispatcher();
        dispatcher.subscribe(config.subject(), this::payload);
        dispatcher.subscribe(config.heartbeatSubject(), this::heartbeat);
    }

    private void payload(Message message) {
        try {
            payloads.accept(new String(message.getData(), StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            // whatever a message holds, the dispatcher goes on with the next one
            Log.errorf(e, "could not handle a message on %s", config.subject());
        }
    }

    private void heartbeat(Message message) {
        RelayHeartbeat heartbeat;
        try {
            heartbeat = RelayHeartbeat.parse(message.getData());
        } catch (IllegalArgumentException e) {
            malformedHeartbeat(e.getMessage());
            return;
        }
        synchronized (this) {
            RelayWatch.Signal signal = watch.heartbeat(heartbeat.relay(), heartbeat.generation(), heartbeat.listening(),
                    System.nanoTime());
            if (signal == RelayWatch.Signal.LISTENING) {
                Log.infof("relay %s (LISTEN generation %d) heard%s", heartbeat.relay(), heartbeat.generation(),
                        up ? ": subscriptions check the log for what it may have missed" : "");
            }
            signal(signal);
        }
    }

    private synchronized void tick() {
        signal(watch.tick(System.nanoTime()));
    }

    @Override
    public synchronized void disconnected() {
        signal(watch.disconnected());
    }

    @Override
    public void reconnected() {
        // nothing yet: events flow again once a relay's heartbeat arrives over the new connection
    }

    @Override
    public synchronized void dropped(String what) {
        Log.warnf("%s: subscriptions check the log", what);
        signal(watch.messagesDropped());
    }

    /** Called under this object's lock, so the signals leave in the order they were decided. */
    private void signal(RelayWatch.Signal signal) {
        up = watch.up();
        problem = watch.problem();
        if (signal != RelayWatch.Signal.NONE) {
            signals.accept(signal);
        }
    }

    private synchronized int listeningRelays() {
        return watch.listeningRelays(System.nanoTime());
    }

    private synchronized void malformedHeartbeat(String why) {
        malformedSinceWarning++;
        long now = System.nanoTime();
        if (lastMalformedWarning == 0 || now - lastMalformedWarning > 60_000_000_000L) {
            Log.warnf("ignored %d message(s) on %s that are no relay heartbeat (latest: %s)", malformedSinceWarning,
                    config.heartbeatSubject(), why);
            lastMalformedWarning = now;
            malformedSinceWarning = 0;
        }
    }
}

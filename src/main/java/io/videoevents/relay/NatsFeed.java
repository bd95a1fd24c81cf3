package io.videoevents.relay;

import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

import io.micrometer.core.instrument.Counter;
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
 * connection mean is {@link RelayWatch}'s call. A heartbeat counts only with its relay's signature (the trigger's
 * key, {@link #verifyWith}) and a timely time; anything else on the heartbeat subject is refused and counted.
 */
public final class NatsFeed implements NatsLink.Events {

    private final Vertx vertx;
    private final VideoEventsConfig.Fanout.Nats config;
    private final Consumer<String> payloads;
    private final Consumer<RelayWatch.Signal> signals;
    private final NatsLink link;
    private final RelayWatch watch;
    private volatile boolean up;
    private volatile String problem = "no relay heard yet";
    private long timer = -1;
    private final Counter refused;
    /** Checks the relays' signatures; set once the key is read, before {@link #start}. Used under this object's lock. */
    private volatile HeartbeatKey signature;
    private long refusedSinceWarning;
    private long lastRefusedWarning;

    public NatsFeed(Vertx vertx, VideoEventsConfig.Fanout.Nats config, MeterRegistry registry, Consumer<String> payloads,
            Consumer<RelayWatch.Signal> signals) {
        this.vertx = vertx;
        this.config = config;
        this.payloads = payloads;
        this.signals = signals;
        long interval = Math.max(10, config.heartbeatInterval().toMillis());
        this.watch = new RelayWatch(interval * Math.max(1, config.heartbeatMisses()) * 1_000_000L,
                config.heartbeatMaxAge().toMillis());
        this.refused = Counter.builder("video.events.relay.heartbeats.refused")
                .description("messages on the heartbeat subject refused: malformed, without a relay's valid signature, "
                        + "or old or repeated")
                .register(registry);
        this.link = new NatsLink(vertx, config, "video-events-replica", false, this);
        registry.gauge("video.events.nats.connected", this, f -> f.link.connected() ? 1 : 0);
        registry.gauge("video.events.relays.listening", this, f -> f.listeningRelays());
    }

    /** The key the relays sign their heartbeats with (the trigger's); before {@link #start}. */
    public void verifyWith(HeartbeatKey signature) {
        this.signature = signature;
    }

    public void start() {
        link.start();
        long every = Math.max(10, config.heartbeatInterval().toMillis());
        timer = vertx.setPeriodic(every, every, t -> tick());
    }

    public void stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        link.stop();
    }

    /** True while a relay whose LISTEN is up is heard: live events reach this replica. */
    public boolean isUp() {
        return up;
    }

    /** Why live events do not reach this replica, or null while they do. */
    public String problem() {
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
            refusedHeartbeat(e.getMessage());
            return;
        }
        synchronized (this) {
            HeartbeatKey key = signature;
            if (key == null || !key.verifyHeartbeat(heartbeat)) {
                refusedHeartbeat("no valid signature of a relay, from " + heartbeat.relay());
                return;
            }
            long now = System.nanoTime();
            if (!watch.timely(heartbeat.relay(), heartbeat.at(), System.currentTimeMillis(), now)) {
                refusedHeartbeat("an old or repeated heartbeat of " + heartbeat.relay() + " (or its clock is off by more than "
                        + config.heartbeatMaxAge().toMillis() + " ms)");
                return;
            }
            RelayWatch.Signal signal = watch.heartbeat(heartbeat.relay(), heartbeat.generation(), heartbeat.listening(), now);
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

    private synchronized void refusedHeartbeat(String why) {
        refused.increment();
        refusedSinceWarning++;
        long now = System.nanoTime();
        if (lastRefusedWarning == 0 || now - lastRefusedWarning > 60_000_000_000L) {
            Log.warnf("refused %d message(s) on %s that are no valid relay heartbeat (latest: %s)", refusedSinceWarning,
                    config.heartbeatSubject(), why);
            lastRefusedWarning = now;
            refusedSinceWarning = 0;
        }
    }
}

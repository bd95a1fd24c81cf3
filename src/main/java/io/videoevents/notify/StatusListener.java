package io.videoevents.notify;

import java.util.Optional;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import io.smallrye.mutiny.operators.multi.processors.SerializedProcessor;
import io.videoevents.VideoEventsConfig;
import io.videoevents.VideoLog;
import io.videoevents.relay.NatsFeed;
import io.videoevents.relay.NatsLink;
import io.videoevents.relay.NatsRelay;
import io.videoevents.relay.RecentSignatures;
import io.videoevents.relay.RelayWatch;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.pgclient.pubsub.PgChannel;
import io.vertx.pgclient.pubsub.PgSubscriber;

/**
 * This instance's live events: the one place that turns the trigger's notifications into a typed {@link Multi}
 * and says when they stopped and when they flow again, so that whoever keeps state can catch up from the event
 * log. It knows nothing of sockets. Every consumer injects this class, whatever the fan-out mode:
 * <ul>
 * <li>{@code video-events.fanout.mode=listen} (default): its own LISTEN connection, as below;</li>
 * <li>{@code nats}, role {@code replica}: no LISTEN connection; the same payloads come from the relays over NATS
 * ({@link NatsFeed}), are parsed and verified here with the same key, and "LISTENing" means a relay whose LISTEN
 * is up is heard;</li>
 * <li>{@code nats}, role {@code relay}: its own LISTEN connection, and every payload that passes the checks is also
 * published to NATS unchanged ({@link NatsRelay}).</li>
 * </ul>
 *
 * <p>Connection settings come from the datasource ({@code quarkus.datasource.reactive.url},
 * {@code username}, {@code password}) unless {@code video-events.listener.url} names another URL for it.
 * The first connect is retried here (Vert.x's reconnect policy only covers a connection that was up),
 * so an instance that starts before its database recovers by itself.
 *
 * <p>Why one class: the three modes share one processor, one readiness state and the same parse and signature
 * check, and the order of what the {@link Multi} emits (a loss before the return, no payload behind a later one)
 * holds because all of it runs on the one context here; split by mode, each part would reach into that state.
 * The NATS side itself lives in {@code io.videoevents.relay}.
 */
@ApplicationScoped
public class StatusListener {

    static final String APPLICATION_NAME = "video-events-listener";
    /** The prefix of the SQL client meters Vert.x makes for the listener's connections. */
    public static final String METRICS_NAME = APPLICATION_NAME;
    private static final VideoLog VIDEO_LOG = VideoLog.of(StatusListener.class);

    private final Vertx vertx;
    private final MeterRegistry registry;
    private final VideoEventsConfig.Listener config;
    private final VideoEventsConfig.Fanout fanout;
    private final PgConnectOptions connectOptions;
    /**
     * Typed events and connection signals as they happen; serialised because a reconnect may move the
     * connection to another event loop. Payloads are decoded in the channel's handler, before they enter the
     * stream, rather than in a {@code map} stage: Mutiny stages run their functions through the application's
     * context propagation, which cost more per notification than the decoding itself (BENCHMARKS.md, Findings).
     */
    private final SerializedProcessor<ListenerEvent, ListenerEvent> typed = BroadcastProcessor.<ListenerEvent> create().serialized();
    private final Multi<ListenerEvent> events;
    private final Counter notifications;
    private final Counter malformed;

    private final Counter reconnects;
    private final Counter rejected;

    private PgSubscriber subscriber;
    /** Set once the signing key was read; never changes afterwards (see {@link NotificationSignature}). */
    private volatile NotificationSignature signature;
    private long rejectedSinceWarning;
    private long lastRejectionWarning;
    private volatile boolean listening;
    private volatile boolean everListened;
    private volatile boolean stopped;
    /** Why the connection is up but useless (LISTEN does not hold on it), or null. */
    private volatile String problem;
    private long probeTimer = -1;
    private volatile boolean probing;
    /** {@code nats} mode only: the replica's source of events, or the relay's publisher; null otherwise. */
    private volatile NatsFeed feed;
    private volatile NatsRelay relay;
    /** {@code nats} mode as a replica only: the other relay's copies are dropped (see {@link RecentSignatures}). */
    private RecentSignatures recent;
    private Counter copies;

    StatusListener(Vertx vertx, VideoEventsConfig config, MeterRegistry registry,
            @ConfigProperty(name = "quarkus.datasource.reactive.url") Optional<String> datasourceUrl,
            @ConfigProperty(name = "quarkus.datasource.username") Optional<String> username,
            @ConfigProperty(name = "quarkus.datasource.password") Optional<String> password) {
        this.vertx = vertx;
        this.registry = registry;
        this.config = config.listener();
        this.fanout = config.fanout();
        if (fanout.mode() == VideoEventsConfig.Fanout.Mode.LISTEN && fanout.role() == VideoEventsConfig.Fanout.Role.RELAY) {
            throw new IllegalStateException("video-events.fanout.role=relay needs video-events.fanout.mode=nats");
        }
        if (fanout.mode() == VideoEventsConfig.Fanout.Mode.NATS) {
            NatsLink.url(fanout.nats());
        }
        String url = this.config.url().or(() -> datasourceUrl).orElseThrow(() -> new IllegalStateException(
                "no database URL for the LISTEN connection: set QUARKUS_DATASOURCE_REACTIVE_URL (or VIDEO_EVENTS_LISTENER_URL)"));
        this.connectOptions = connectOptions(url, username, password, this.config);
        this.notifications = Counter.builder("video.events.notifications")
                .description("NOTIFY payloads received on the LISTEN connection (in nats mode as a replica: over NATS, one"
                        + " copy per relay)").register(registry);
        this.malformed = Counter.builder("video.events.notifications.malformed")
                .description("NOTIFY payloads that could not be read as a status event and were skipped").register(registry);
        this.rejected = Counter.builder("video.events.notifications.rejected")
                .description("status notifications without the trigger's signature (sent by someone else on the channel), dropped")
                .register(registry);
        this.reconnects = Counter.builder("video.events.listener.reconnects")
                .description("times the LISTEN connection was lost and LISTENs again (in nats mode as a replica: times live"
                        + " events flowed again after a gap, or a relay LISTENed anew; each makes subscribers check the log)")
                .register(registry);
        registry.gauge("video.events.listener.up", this, l -> l.isListening() ? 1 : 0);
        this.events = Multi.createFrom().publisher(typed);
    }

    /** Committed status changes and connection signals, in the order the connection saw them. Hot: subscribe before start-up ends. */
    public Multi<ListenerEvent> events() {
        return events;
    }

    /**
     * True while live events reach this instance: the connection is up and its LISTEN is known to hold (in
     * {@code nats} mode as a replica: NATS is connected and a relay whose LISTEN is up is heard).
     */
    public boolean isListening() {
        NatsFeed source = feed;
        return source != null ? source.isUp() : listening && problem == null;
    }

    /** True once the connection has LISTENed at least once since start. */
    public boolean hasListened() {
        return everListened;
    }

    /**
     * Why the listener is not usable although connected (see {@link #verifyListen}), if that is the case; in
     * {@code nats} mode as a replica, why live events do not arrive.
     */
    public Optional<String> problem() {
        NatsFeed source = feed;
        if (source != null) {
            return source.isUp() ? Optional.empty() : Optional.ofNullable(source.problem());
        }
        return Optional.ofNullable(problem);
    }

    /** A relay only: why it cannot pass notifications on to NATS (not connected), if that is the case. */
    public Optional<String> relayProblem() {
        NatsRelay publisher = relay;
        return publisher == null || publisher.connected() ? Optional.empty() : Optional.of("not connected to NATS");
    }

    static PgConnectOptions connectOptions(String url, Optional<String> username, Optional<String> password,
            VideoEventsConfig.Listener config) {
        String uri = url.startsWith("vertx-reactive:") ? url.substring("vertx-reactive:".length()) : url;
        int comma = uri.indexOf(',');
        if (comma > 0) {
            // several hosts for the pool: the listener needs one connection, to the first
            uri = uri.substring(0, comma);
        }
        PgConnectOptions options = PgConnectOptions.fromUri(uri);
        username.ifPresent(options::setUser);
        password.ifPresent(options::setPassword);
        options.addProperty("application_name", APPLICATION_NAME);
        // Vert.x meters every connection outside a pool, under this name (ops.SqlClientMeters leaves them out)
        options.setMetricsName(METRICS_NAME);
        options.setConnectTimeout((int) Math.min(Integer.MAX_VALUE, config.connectTimeout().toMillis()));
        // a LISTEN connection is idle for long stretches; keep-alive lets the kernel notice a vanished peer
        // too (the periodic probe is what bounds the time, whatever the transport supports)
        options.setTcpKeepAlive(true).setTcpKeepAliveIdleSeconds(30).setTcpKeepAliveIntervalSeconds(10).setTcpKeepAliveCount(3);
        return options;
    }

    void start(@Observes @Priority(Interceptor.Priority.APPLICATION + 500) StartupEvent start) {
        boolean nats = fanout.mode() == VideoEventsConfig.Fanout.Mode.NATS;
        if (nats && fanout.role() == VideoEventsConfig.Fanout.Role.REPLICA) {
            // no LISTEN connection: the key is read (connectFirst), then the relays are heard over NATS
            recent = new RecentSignatures();
            copies = Counter.builder("video.events.notifications.copies")
                    .description("status notifications received over NATS from a second relay, dropped before any check")
                    .register(registry);
            feed = new NatsFeed(vertx, fanout.nats(), registry, this::decodeAndEmit, this::onRelaySignal);
            Log.infof("live events from the relays over NATS (%s, subject %s)", NatsLink.url(fanout.nats()),
                    fanout.nats().subject());
            connectFirst(0);
            return;
        }
        subscriber = PgSubscriber.subscriber(vertx, connectOptions);
        subscriber.reconnectPolicy(this::reconnectDelay);
        PgChannel channel = subscriber.channel(config.channel());
        if (nats) {
            NatsRelay publisher = new NatsRelay(vertx, fanout.nats(), registry, this::isListening);
            relay = publisher;
            Log.infof("relay %s: every notification goes on to NATS (%s, subject %s)", publisher.id(),
                    NatsLink.url(fanout.nats()), fanout.nats().subject());
            channel.handler(payload -> decode(payload, null).ifPresent(event -> {
                // only what passed the checks is passed on: a forged NOTIFY is not multiplied by the replicas
                publisher.publish(payload);
                typed.onNext(event);
            }));
            publisher.start();
        } else {
            channel.handler(payload -> decode(payload, null).ifPresent(typed::onNext));
        }
        channel.subscribeHandler(ignored -> verifyListen());
        connectFirst(0);
        long every = Math.max(100, config.probeInterval().toMillis());
        probeTimer = vertx.setPeriodic(every, every, t -> probe());
    }

    void stop(@Observes ShutdownEvent shutdown) {
        stopped = true;
        listening = false;
        if (probeTimer >= 0) {
            vertx.cancelTimer(probeTimer);
        }
        if (relay != null) {
            relay.stop();
        }
        if (feed != null) {
            feed.stop();
        }
        if (subscriber != null) {
            subscriber.close();
        }
    }

    /** {@code nats} mode as a replica: a payload a relay published, checked exactly as a NOTIFY is. */
    private void decodeAndEmit(String payload) {
        decode(payload, recent).ifPresent(typed::onNext);
    }

    /** {@code nats} mode as a replica: live events flow (again), or are being missed. */
    private void onRelaySignal(RelayWatch.Signal signal) {
        if (signal == RelayWatch.Signal.LISTENING) {
            onListening();
        } else if (signal == RelayWatch.Signal.LOST) {
            Log.warnf("live events from the relays stopped: %s", feed.problem());
            typed.onNext(new ListenerEvent.ConnectionLost());
        }
    }

    private void connectFirst(int attempt) {
        if (stopped) {
            return;
        }
        if (signature == null) {
            // the key is read once, before the first LISTEN, so no notification ever waits for it
            readSigningKey().onSuccess(key -> {
                signature = new NotificationSignature(key);
                // the relays' heartbeats are signed with the same key, each side with an instance of its own
                if (feed != null) {
                    feed.verifyWith(new NotificationSignature(key));
                }
                if (relay != null) {
                    relay.signWith(new NotificationSignature(key));
                }
                connectFirst(attempt);
            }).onFailure(failure -> {
                long delay = backoff(attempt);
                Log.warnf("cannot read the notification signing key from %s:%d (%s); retrying in %d ms", connectOptions.getHost(),
                        connectOptions.getPort(), failure.getMessage(), delay);
                vertx.setTimer(delay, t -> connectFirst(attempt + 1));
            });
            return;
        }
        if (feed != null) {
            feed.start();
            return;
        }
        subscriber.connect().onFailure(failure -> {
            long delay = backoff(attempt);
            Log.warnf("LISTEN connection to %s:%d failed (%s); retrying in %d ms", connectOptions.getHost(),
                    connectOptions.getPort(), failure.getMessage(), delay);
            // a failed first connect leaves the subscriber half-open; close it so connect() starts afresh
            subscriber.close();
            vertx.setTimer(delay, t -> connectFirst(attempt + 1));
        });
    }

    /** Reads the key the trigger signs status notifications with, over a short connection of its own. */
    private Future<byte[]> readSigningKey() {
        return PgConnection.connect(vertx, connectOptions).compose(connection -> connection
                .query("SELECT key FROM video_events_signing_key").execute()
                .map(rows -> {
                    if (rows.size() != 1) {
                        throw new IllegalStateException("video_events_signing_key holds " + rows.size() + " rows; expected 1");
                    }
                    return rows.iterator().next().getBuffer("key").getBytes();
                })
                .eventually(() -> connection.close()));
    }

    /**
     * LISTEN was sent; check on the same connection that the server really holds it. Through a pooler in
     * transaction mode the LISTEN and this query may run on different server connections, and the
     * notifications would silently never arrive.
     */
    private void verifyListen() {
        PgConnection connection = subscriber.actualConnection();
        if (connection == null) {
            return;
        }
        listenHolds(connection, config.channel())
                .onSuccess(holds -> {
                    if (holds) {
                        problem = null;
                        onListening();
                    } else {
                        problem = "LISTEN " + config.channel() + " does not hold on the listener's connection: it seems to go"
                                + " through a pooler in transaction mode. Give the listener a direct (or session-mode)"
                                + " URL with VIDEO_EVENTS_LISTENER_URL.";
                        Log.error(problem);
                    }
                })
                .onFailure(failure -> Log.warnf("could not verify the LISTEN (%s); the probe will retry", failure.getMessage()));
    }

    /** Whether the server session behind {@code connection} is LISTENing on {@code channel}. */
    static Future<Boolean> listenHolds(SqlConnection connection, String channel) {
        return connection.query("SELECT pg_listening_channels() AS channel").execute().map(rows -> {
            for (Row row : rows) {
                if (channel.equals(row.getString("channel"))) {
                    return true;
                }
            }
            return false;
        });
    }

    private void onListening() {
        boolean reconnected = everListened;
        everListened = true;
        listening = true;
        if (reconnected) {
            reconnects.increment();
        }
        if (feed != null) {
            Log.infof("live events flow from the relays%s", reconnected ? " again" : "");
        } else {
            Log.infof("LISTENing on channel %s%s", config.channel(), reconnected ? " again" : "");
        }
        typed.onNext(new ListenerEvent.Listening(reconnected));
        if (relay != null) {
            relay.listening();
        }
    }

    /**
     * A cheap query on the LISTEN connection. No answer within the timeout means the peer is gone
     * without having said so; closing the connection hands it to the reconnect policy.
     */
    private void probe() {
        PgConnection connection = subscriber == null ? null : subscriber.actualConnection();
        if (connection == null || stopped) {
            return;
        }
        if (problem != null) {
            verifyListen();
            return;
        }
        if (!listening || probing) {
            return;
        }
        probing = true;
        long timeout = Math.max(100, config.probeTimeout().toMillis());
        long timer = vertx.setTimer(timeout, t -> {
            probing = false;
            Log.warnf("the LISTEN connection did not answer within %d ms; reconnecting", timeout);
            connection.close();
        });
        connection.query("SELECT 1").execute().onComplete(result -> {
            probing = false;
            vertx.cancelTimer(timer);
            if (result.failed()) {
                Log.warnf("probe on the LISTEN connection failed (%s); reconnecting", result.cause().getMessage());
                connection.close();
            }
        });
    }

    /** Vert.x asks this after a connection was lost (attempt 0) and after each failed attempt; never gives up, never 0 ms. */
    private Long reconnectDelay(Integer attempt) {
        if (attempt == 0) {
            listening = false;
            typed.onNext(new ListenerEvent.ConnectionLost());
            if (relay != null) {
                relay.lost();
            }
        }
        return stopped ? -1L : backoff(attempt);
    }

    long backoff(int attempt) {
        long initial = Math.max(1, config.reconnectInitialDelay().toMillis());
        long max = Math.max(initial, config.reconnectMaxDelay().toMillis());
        long delay = attempt >= 30 ? max : Math.min(max, initial << attempt);
        return Math.max(1, delay);
    }

    /**
     * A notification's payload as a typed event, or empty when it is malformed or not signed by the trigger, or (with
     * {@code recent}: a replica in nats mode) a copy of a status notification already passed on.
     */
    private Optional<ListenerEvent> decode(String payload, RecentSignatures recent) {
        notifications.increment();
        NotificationParser.Parsed parsed;
        try {
            parsed = NotificationParser.parse(payload);
        } catch (IllegalArgumentException e) {
            malformed.increment();
            Log.warnf("skipping a malformed notification (%s): %.200s", e.getMessage(), payload);
            return Optional.empty();
        }
        if (parsed instanceof NotificationParser.Status status) {
            var e = status.event();
            if (recent != null && recent.seen(status.signature())) {
                copies.increment();
                return Optional.empty();
            }
            if (!signature.verify(e.videoId(), e.version(), e.status(), e.previousStatus(), status.occurredAtMicros(),
                    status.traceparent(), status.signature())) {
                reject(payload, e.videoId());
                return Optional.empty();
            }
            if (recent != null) {
                recent.remember(status.signature());
            }
            return Optional.of(new ListenerEvent.StatusChanged(e, status.traceparent()));
        }
        if (parsed instanceof NotificationParser.Deleted deleted) {
            return Optional.of(new ListenerEvent.VideoDeleted(deleted.videoId()));
        }
        if (parsed instanceof NotificationParser.AccessChanged changed) {
            return Optional.of(new ListenerEvent.AccessChanged(changed.videoId()));
        }
        throw new IllegalStateException("unhandled notification " + parsed);
    }

    /**
     * A status notification the trigger did not sign: somebody else NOTIFYs on the channel. Dropped and
     * counted; a warning at most once a minute, since a flood must not become a flood of log lines. The line names
     * the video the (latest) payload claims, as every line about one video does.
     */
    private void reject(String payload, String videoId) {
        rejected.increment();
        rejectedSinceWarning++;
        long now = System.nanoTime();
        if (lastRejectionWarning == 0 || now - lastRejectionWarning > 60_000_000_000L) {
            VIDEO_LOG.warnf(videoId, "dropped %d status notification(s) without the trigger's signature on channel %s"
                    + " (someone else NOTIFYs on it); latest: %.200s", rejectedSinceWarning, config.channel(), payload);
            lastRejectionWarning = now;
            rejectedSinceWarning = 0;
        } else {
            VIDEO_LOG.debugf(videoId, "dropped an unsigned status notification: %.200s", payload);
        }
    }
}

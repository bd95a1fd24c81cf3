package io.videoevents.socket;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.micrometer.core.instrument.Counter;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.websockets.next.WebSocketConnection;
import io.videoevents.VideoEventsConfig;
import io.videoevents.subscription.AccessGuard;
import io.videoevents.subscription.Deliveries;
import io.videoevents.subscription.Frames;
import io.videoevents.subscription.Resume;
import io.videoevents.subscription.Subscription;
import io.videoevents.subscription.SubscriptionHub;
import io.vertx.core.Vertx;

/**
 * Opens and closes client connections and their subscriptions for both socket endpoints, so that
 * snapshot, replay, ordering and limits are written once.
 */
@ApplicationScoped
public class Clients {

    /**
     * The heartbeat's tick: a 25 s ping interval is spread over 250 ticks, a 250th of the sockets each. With
     * a tick of a second, 10,000 sockets meant 400 pings (and 400 pongs back) at once each second, and the
     * deliveries queued behind them made most of the p99 at 10,000 deliveries/s (4.4 against 1.7 ms
     * without pings, BENCHMARKS.md, Findings, "Heartbeat spread").
     */
    static final long HEARTBEAT_TICK_MILLIS = 100;

    private final Map<String, ClientConnection> open = new ConcurrentHashMap<>();
    private final SubscriptionHub hub;
    private final Frames frames;
    private final VideoEventsConfig.Socket limits;
    private final Counter slowCloses;
    private final Deliveries deliveries;
    private final AccessGuard guard;
    private final Vertx vertx;
    private final Duration authTimeout;
    /** The heartbeat: every tick pings one slice of the sockets, so each is pinged once per ping interval. */
    private final long heartbeatTickMillis;
    private final int heartbeatSlots;
    /** The open sockets of each heartbeat slot, so a tick touches only its own slice, not every socket. */
    private final java.util.List<java.util.Set<ClientConnection>> bySlot;
    private final java.util.concurrent.atomic.AtomicLong nextSlot = new java.util.concurrent.atomic.AtomicLong();
    private long heartbeatTicks;

    Clients(SubscriptionHub hub, Frames frames, VideoEventsConfig config, MeterRegistry registry,
            AccessGuard guard, Vertx vertx) {
        this.guard = guard;
        this.vertx = vertx;
        this.authTimeout = config.auth().messageTimeout();
        this.hub = hub;
        this.frames = frames;
        this.limits = config.socket();
        long every = Math.max(100, limits.pingInterval().toMillis());
        this.heartbeatTickMillis = Math.min(every, HEARTBEAT_TICK_MILLIS);
        this.heartbeatSlots = (int) Math.max(1, every / heartbeatTickMillis);
        this.bySlot = new java.util.ArrayList<>(heartbeatSlots);
        for (int slot = 0; slot < heartbeatSlots; slot++) {
            bySlot.add(ConcurrentHashMap.newKeySet());
        }
        this.slowCloses = Counter.builder("video.events.slow.client.closes")
                .description("sockets closed with 4408 because the client did not keep up").register(registry);
        this.deliveries = new Deliveries(registry);
        registry.gauge("video.events.connections", this, Clients::connectionCount);
        registry.gauge("video.events.subscriptions", hub, SubscriptionHub::subscriptionCount);
    }

    /** A socket opened: its connection, or null (logged, socket closed with 1011) if it cannot be served. */
    ClientConnection opened(WebSocketConnection socket) {
        ClientConnection client;
        try {
            client = new ClientConnection(socket, limits.maxQueuedMessages(), limits.maxQueuedBytes(),
                    limits.maxMessagesPerSecond(), slowCloses::increment, deliveries);
        } catch (RuntimeException e) {
            // WebSockets Next would drop an exception from @OnOpen silently; this is the service's own fault
            Log.errorf(e, "cannot serve socket %s", socket.id());
            socket.close(new io.quarkus.websockets.next.CloseReason(ErrorCodes.CLOSE_INTERNAL, "internal error")).subscribe()
                    .with(ok -> {
                    }, failure -> {
                    });
            return null;
        }
        // sockets that arrive together (a reconnect storm) are dealt round the heartbeat's ticks, not pinged at once
        client.heartbeatSlot((int) (nextSlot.getAndIncrement() % heartbeatSlots));
        socket.userData().put(ClientConnection.KEY, client);
        open.put(socket.id(), client);
        bySlot.get(client.heartbeatSlot()).add(client);
        // WebSockets Next calls @OnClose only once its set-up is complete; a client that resets right after
        // the upgrade would otherwise stay here for good. The channel's own close covers every case.
        client.whenDisconnected(() -> closed(socket));
        if (guard.requiresAuthMessage(socket)) {
            client.awaitingAuth(true);
            vertx.setTimer(Math.max(1, authTimeout.toMillis()), t -> {
                if (client.awaitingAuth() && !client.isClosing()) {
                    client.fail(error(ErrorCodes.BAD_REQUEST, "no auth message within " + authTimeout.toSeconds() + " s", null),
                            ErrorCodes.CLOSE_UNAUTHENTICATED, "authentication required");
                }
            });
        } else {
            closeAtExpiry(client, guard.expiresAt(socket));
        }
        return client;
    }

    /**
     * Handles an {@code auth} message: verifies the token off the loop and binds it to the socket; messages
     * that arrive meanwhile wait for the outcome. {@code then} runs on the loop once the token was accepted
     * ({@code first}: it was the socket's first). A refused token closes the socket with 4401; an outcome
     * that comes after the socket closed changes nothing and sets no timer.
     */
    void authenticate(ClientConnection client, String token, java.util.function.BiConsumer<ClientConnection, Boolean> then) {
        boolean first = client.awaitingAuth();
        client.authStarted();
        guard.authenticate(client.socket(), token).subscribe().with(
                expiry -> client.onLoop(() -> {
                    if (!client.isClosing()) {
                        client.awaitingAuth(false);
                        closeAtExpiry(client, expiry);
                        if (!first) {
                            // the caller's groups may differ: every subscription checks its access again
                            client.subscriptions().forEach(Subscription::doorbell);
                        }
                        then.accept(client, first);
                    }
                    client.authDone();
                }),
                failure -> client.onLoop(() -> {
                    Log.debugf("socket %s: token refused (%s)", client.id(), failure.getMessage());
                    client.fail(error(ErrorCodes.BAD_REQUEST, "token refused: " + failure.getMessage(), null),
                            ErrorCodes.CLOSE_UNAUTHENTICATED, "invalid token");
                    client.authDone();
                }));
    }

    /** A message other than auth on a socket that has not authenticated: refused with 4401. */
    void requireAuthFirst(ClientConnection client) {
        client.fail(error(ErrorCodes.BAD_REQUEST, "send {\"type\":\"auth\",\"token\":...} first", null),
                ErrorCodes.CLOSE_UNAUTHENTICATED, "authentication required");
    }

    private void closeAtExpiry(ClientConnection client, Optional<Instant> expiry) {
        long timer = expiry.map(at -> vertx.setTimer(Math.max(1, Duration.between(Instant.now(), at).toMillis()),
                t -> client.fail(error(ErrorCodes.BAD_REQUEST, "token expired; reconnect with a fresh one", null),
                        ErrorCodes.CLOSE_UNAUTHENTICATED, "token expired")))
                .orElse(-1L);
        long previous = client.replaceExpiryTimer(timer);
        if (previous >= 0) {
            vertx.cancelTimer(previous);
        }
    }

    ClientConnection of(WebSocketConnection socket) {
        return socket.userData().get(ClientConnection.KEY);
    }

    /**
     * A failure on a socket: a frame over the size limit (the decoder refuses it and the socket cannot
     * go on) is closed with the code the protocol gives for it, 1009; anything else is logged and the
     * socket closed as broken.
     */
    void failed(WebSocketConnection socket, Throwable failure) {
        ClientConnection client = of(socket);
        if (client == null) {
            return;
        }
        if (failure instanceof CorruptedWebSocketFrameException corrupted) {
            int code = corrupted.closeStatus() == null ? ErrorCodes.CLOSE_POLICY : corrupted.closeStatus().code();
            client.close(code, code == ErrorCodes.CLOSE_TOO_BIG ? "frame too big" : "protocol violation");
        } else {
            Log.debugf("socket %s failed: %s", socket.id(), failure.toString());
            client.close(ErrorCodes.CLOSE_INTERNAL, "internal error");
        }
    }

    /** A pong: the peer is alive. */
    void ponged(WebSocketConnection socket) {
        ClientConnection client = of(socket);
        if (client != null) {
            client.heard();
        }
    }

    /** Everything of that socket leaves the hub. */
    void closed(WebSocketConnection socket) {
        ClientConnection client = open.remove(socket.id());
        if (client != null) {
            bySlot.get(client.heartbeatSlot()).remove(client);
            long timer = client.replaceExpiryTimer(-1);
            if (timer >= 0) {
                vertx.cancelTimer(timer);
            }
            client.close(ErrorCodes.CLOSE_GOING_AWAY, "closed");
        }
    }

    /**
     * Subscribes {@code client} to a video and starts it on the socket's loop: {@code greeting} (if any),
     * then a snapshot or the replay after the resume point, then live; {@code ended} is told if it ends by
     * itself. Returns false, doing nothing, when the socket already watches that video or is closing.
     */
    boolean subscribe(ClientConnection client, String videoId, Resume resume, String greeting, Subscription.Ended ended) {
        Subscription subscription = hub.subscription(videoId, client, guard, greeting, ended);
        if (!client.add(subscription)) {
            return false;
        }
        subscription.start(resume);
        return true;
    }

    /** Size in UTF-8 bytes, counted without copying; stops counting past the limit. */
    int utf8Size(String text) {
        if (text.length() * 3L <= limits.maxFrameBytes()) {
            return text.length();
        }
        int bytes = 0;
        for (int i = 0; i < text.length() && bytes <= limits.maxFrameBytes(); i++) {
            char c = text.charAt(i);
            bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
        }
        return bytes;
    }

    /**
     * Applies the frame-size limit (1009 above it) and the per-socket message rate: true if the message may be handled. A refused one is
     * answered with {@code rate_limited}; a client that keeps sending is closed with 1008.
     */
    boolean admit(ClientConnection client, int size) {
        if (client.isClosing()) {
            return false;
        }
        if (size > limits.maxFrameBytes()) {
            client.close(ErrorCodes.CLOSE_TOO_BIG, "frame above " + limits.maxFrameBytes() + " bytes");
            return false;
        }
        switch (client.admitMessage()) {
            case ACCEPT:
                return true;
            case REFUSE:
                client.send(error(ErrorCodes.RATE_LIMITED,
                        "more than " + limits.maxMessagesPerSecond() + " messages per second; slow down", null));
                return false;
            default:
                client.fail(error(ErrorCodes.RATE_LIMITED, "too many messages; closing", null), ErrorCodes.CLOSE_POLICY,
                        "rate limit");
                return false;
        }
    }

    /** The heartbeat runs on one Vert.x timer for the whole instance (the scheduler's granularity is a second). */
    void startHeartbeat(@Observes StartupEvent start) {
        vertx.setPeriodic(heartbeatTickMillis, heartbeatTickMillis, id -> heartbeat());
    }

    Frames frames() {
        return frames;
    }

    VideoEventsConfig.Socket limits() {
        return limits;
    }

    /**
     * One tick of the heartbeat, one task per event loop rather than a timer per socket. Each tick takes the
     * sockets of one slot, so a ping interval's pings (and the pongs they bring back) are spread evenly over
     * it instead of landing on the loops all at once, where every delivery queued behind them would wait:
     * every socket of the slot that has not been heard from (no message, no pong) within the pong timeout is
     * closed with 1001; every other one is pinged.
     */
    void heartbeat() {
        int slot = (int) (heartbeatTicks++ % heartbeatSlots);
        long cutoff = System.nanoTime() - limits.pongTimeout().toNanos();
        Map<Thread, java.util.List<ClientConnection>> byLoop = new java.util.HashMap<>();
        for (ClientConnection client : bySlot.get(slot)) {
            if (!client.isClosing()) {
                byLoop.computeIfAbsent(client.loop(), loop -> new java.util.ArrayList<>()).add(client);
            }
        }
        byLoop.values().forEach(clientsOfLoop -> clientsOfLoop.get(0).onLoop(() -> {
            for (ClientConnection client : clientsOfLoop) {
                if (client.lastHeardFrom() < cutoff) {
                    Log.debugf("closing socket %s: no answer to pings for %s", client.id(), limits.pongTimeout());
                    client.close(ErrorCodes.CLOSE_GOING_AWAY, "no answer to pings");
                } else {
                    client.ping();
                }
            }
        }));
    }

    /** Sockets open on this instance, for checks and tests. */
    java.util.Collection<ClientConnection> openConnections() {
        return open.values();
    }

    String error(String code, String message, String videoId) {
        return frames.error(code, message, videoId);
    }

    /** Open sockets on this instance, not counting those being closed (a close handshake may take seconds). */
    public int connectionCount() {
        int count = 0;
        for (ClientConnection client : open.values()) {
            if (!client.isClosing()) {
                count++;
            }
        }
        return count;
    }
}

package io.videoevents.socket;

import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.quarkus.websockets.next.WebSocketConnection;
import io.videoevents.VideoEventsConfig;
import io.videoevents.video.VideoRepository;

/**
 * Opens and closes client connections and their subscriptions for both socket endpoints, so that
 * snapshot, replay, ordering and limits are written once.
 */
@ApplicationScoped
public class Clients {

    private final Map<String, ClientConnection> open = new ConcurrentHashMap<>();
    private final SubscriptionHub hub;
    private final VideoRepository videos;
    private final Frames frames;
    private final VideoEventsConfig.Socket limits;
    private final Counter slowCloses;

    Clients(SubscriptionHub hub, VideoRepository videos, Frames frames, VideoEventsConfig config, MeterRegistry registry) {
        this.hub = hub;
        this.videos = videos;
        this.frames = frames;
        this.limits = config.socket();
        this.slowCloses = Counter.builder("video.events.slow.client.closes")
                .description("sockets closed with 4408 because the client did not keep up").register(registry);
        registry.gauge("video.events.connections", this, Clients::connectionCount);
        registry.gauge("video.events.subscriptions", hub, SubscriptionHub::subscriptionCount);
    }

    ClientConnection opened(WebSocketConnection socket) {
        ClientConnection client = new ClientConnection(socket, limits.maxQueuedMessages(), limits.maxQueuedBytes(),
                limits.maxMessagesPerSecond(), slowCloses::increment);
        socket.userData().put(ClientConnection.KEY, client);
        open.put(socket.id(), client);
        return client;
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

    /** Everything of that socket leaves the hub. */
    void closed(WebSocketConnection socket) {
        ClientConnection client = open.remove(socket.id());
        if (client != null) {
            client.close(ErrorCodes.CLOSE_GOING_AWAY, "closed");
        }
    }

    /**
     * Subscribes {@code client} to a video and starts it: {@code greeting} (if any), then a snapshot or
     * the replay after {@code after}, then live. A second subscribe to the same video changes nothing
     * and completes with {@link Subscription.Start#ALREADY}.
     */
    Uni<Subscription.Start> subscribe(ClientConnection client, String videoId, OptionalLong after, String greeting) {
        Subscription subscription = new Subscription(videoId, client, videos, frames, hub, limits.readTimeout());
        if (client.addIfAbsent(subscription) != subscription) {
            return Uni.createFrom().item(Subscription.Start.ALREADY);
        }
        return subscription.start(after, greeting);
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

    @Scheduled(every = "${video-events.socket.ping-interval:25s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void closeSilentSockets() {
        closeSilent();
    }

    Frames frames() {
        return frames;
    }

    VideoEventsConfig.Socket limits() {
        return limits;
    }

    /** Closes, with 1001, every socket that has not been heard from (no message, no pong) within the pong timeout. */
    void closeSilent() {
        long cutoff = System.nanoTime() - limits.pongTimeout().toNanos();
        for (ClientConnection client : open.values()) {
            if (!client.isClosing() && client.lastHeardFrom() < cutoff) {
                Log.infof("closing socket %s: no answer to pings for %s", client.id(), limits.pongTimeout());
                client.close(ErrorCodes.CLOSE_GOING_AWAY, "no answer to pings");
            }
        }
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

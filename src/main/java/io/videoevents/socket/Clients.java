package io.videoevents.socket;

import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
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
        registry.gauge("video.events.connections", open, Map::size);
        registry.gauge("video.events.subscriptions", hub, SubscriptionHub::subscriptionCount);
    }

    ClientConnection opened(WebSocketConnection socket) {
        ClientConnection client = new ClientConnection(socket, limits.maxQueuedMessages(), limits.maxQueuedBytes(),
                slowCloses::increment);
        socket.userData().put(ClientConnection.KEY, client);
        open.put(socket.id(), client);
        return client;
    }

    ClientConnection of(WebSocketConnection socket) {
        return socket.userData().get(ClientConnection.KEY);
    }

    /** Everything of that socket leaves the hub. */
    void closed(WebSocketConnection socket) {
        ClientConnection client = open.remove(socket.id());
        if (client != null) {
            client.close(ErrorCodes.CLOSE_GOING_AWAY, "closed");
        }
    }

    /** Subscribes {@code client} to a video (idempotent) and starts it: snapshot or replay, then live. */
    Uni<Subscription.Start> subscribe(ClientConnection client, String videoId, OptionalLong after) {
        Subscription subscription = new Subscription(videoId, client, videos, frames, hub, limits.readTimeout());
        if (client.addIfAbsent(subscription) != subscription) {
            return Uni.createFrom().item(Subscription.Start.LIVE);
        }
        return subscription.start(after);
    }

    String error(String code, String message, String videoId) {
        return frames.error(code, message, videoId);
    }

    /** Open sockets on this instance. */
    public int connectionCount() {
        return open.size();
    }
}

package io.videoevents.socket;

import java.util.Optional;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.logging.Log;
import io.quarkus.websockets.next.OnBinaryMessage;
import io.quarkus.websockets.next.InboundProcessingMode;
import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnError;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.OnPongMessage;
import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.common.annotation.NonBlocking;
import io.videoevents.video.FeedCursor;
import io.videoevents.video.FeedScope;
import io.vertx.core.buffer.Buffer;
import io.videoevents.VideoLog;
import io.videoevents.feed.FeedSubscription;
import io.videoevents.feed.Feeds;
import io.videoevents.subscription.AccessGuard;
import io.videoevents.subscription.Resume;
import io.videoevents.subscription.Subscription;
import io.videoevents.subscription.SubscriptionState;

/**
 * {@code /events}: many videos on one socket. The client sends {@code subscribe} / {@code unsubscribe};
 * each subscription then behaves exactly like the one-video socket (same code underneath). Bad input
 * gets an {@code error} and the socket stays usable, unless the client keeps misbehaving.
 */
// messages are handled on arrival and never block, so WebSockets Next needs no per-socket queue for them
@WebSocket(path = "/events", inboundProcessingMode = InboundProcessingMode.CONCURRENT)
public class EventsSocket {

    private static final VideoLog VIDEO_LOG = VideoLog.of(EventsSocket.class);

    private final Clients clients;
    private final Feeds feeds;
    private final AccessGuard guard;
    private final ObjectMapper json;

    EventsSocket(Clients clients, Feeds feeds, AccessGuard guard, ObjectMapper json) {
        this.clients = clients;
        this.feeds = feeds;
        this.guard = guard;
        this.json = json;
    }

    @OnOpen
    @NonBlocking
    public void onOpen(WebSocketConnection socket) {
        ClientConnection client = clients.opened(socket);
        if (client != null) {
            client.forgetUpgradeHeaders();
        }
    }

    /**
     * Handled on arrival, never queued behind another message's work: size and rate are checked first, then
     * the message is acted on; its slow part (a subscription's reads and replay, a token's verification)
     * goes on in the background, so an {@code unsubscribe} or an {@code auth} is answered while a replay
     * is paused by the client. Only messages that arrive while an {@code auth} is being verified wait for
     * it (a bounded few), so that a subscribe right behind an auth is judged by the new token.
     */
    @OnTextMessage
    @NonBlocking
    public void onMessage(String text, WebSocketConnection socket) {
        ClientConnection client = clients.of(socket);
        if (client == null || !clients.admit(client, clients.utf8Size(text))) {
            return;
        }
        ClientMessage message = ClientMessage.parse(text, json);
        if (!client.inOrder(() -> handle(client, message))) {
            client.send(clients.error(ErrorCodes.RATE_LIMITED, "too many messages while a token is being verified; slow down",
                    null));
        }
    }

    private void handle(ClientConnection client, ClientMessage message) {
        if (client.isClosing()) {
            return;
        }
        if (message instanceof ClientMessage.Auth auth) {
            clients.authenticate(client, auth.token(), (c, first) -> {
                if (!first) {
                    feedScopeMayHaveChanged(c);
                }
            });
        } else if (client.awaitingAuth()) {
            clients.requireAuthFirst(client);
        } else if (message instanceof ClientMessage.Subscribe subscribe) {
            subscribe(client, subscribe);
        } else if (message instanceof ClientMessage.Unsubscribe unsubscribe) {
            unsubscribe(client, unsubscribe.videoId());
        } else if (message instanceof ClientMessage.SubscribeFeed subscribe) {
            subscribeFeed(client, subscribe.cursor().orElse(null));
        } else if (message instanceof ClientMessage.UnsubscribeFeed) {
            unsubscribeFeed(client);
        } else if (message instanceof ClientMessage.Invalid invalid) {
            client.send(invalid.feed() ? clients.frames().feedError(ErrorCodes.BAD_REQUEST, invalid.reason())
                    : clients.error(ErrorCodes.BAD_REQUEST, invalid.reason(), invalid.videoId()));
        } else {
            throw new IllegalStateException("unhandled message " + message);
        }
    }

    private void subscribe(ClientConnection client, ClientMessage.Subscribe subscribe) {
        String videoId = subscribe.videoId();
        Subscription existing = client.subscription(videoId);
        if (existing != null) {
            // already watched on this socket: nothing changes; while it is starting, its outcome answers this one too
            if (existing.isStarting()) {
                existing.subscribedAgain();
            } else {
                client.send(clients.frames().subscribed(videoId));
            }
            return;
        }
        if (client.subscriptionCount() >= clients.limits().maxSubscriptions()) {
            client.send(clients.error(ErrorCodes.TOO_MANY_SUBSCRIPTIONS,
                    "at most " + clients.limits().maxSubscriptions() + " videos per socket; unsubscribe from one first", videoId));
            return;
        }
        if (client.startingCount() >= clients.limits().maxSubscribesInFlight()) {
            client.send(clients.error(ErrorCodes.RATE_LIMITED, clients.limits().maxSubscribesInFlight()
                    + " subscribes are still being answered on this socket; subscribe again once they are", videoId));
            return;
        }
        clients.subscribe(client, videoId, new Resume(subscribe.after(), subscribe.tag()), clients.frames().subscribed(videoId),
                (subscription, ending) -> ended(client, subscription, ending));
    }

    /** A subscription ended by itself; the socket stays open. */
    private void ended(ClientConnection client, Subscription subscription, SubscriptionState.Ending ending) {
        String videoId = subscription.videoId;
        String frame = switch (ending) {
            case DELETED -> clients.frames().deleted(videoId);
            case FORBIDDEN -> clients.error(ErrorCodes.FORBIDDEN, "not allowed to watch this video", videoId);
            case NOT_FOUND -> clients.error(ErrorCodes.NOT_FOUND, "no video with this id", videoId);
            case INTERNAL -> {
                VIDEO_LOG.warnf(videoId, "video %s: the database could not be read for socket %s; the subscription ended", videoId, client.id());
                yield clients.error(ErrorCodes.INTERNAL, "could not read the video; subscribe again later", videoId);
            }
        };
        // a refusal at start answers every subscribe that waited for it
        int answers = subscription.isStarting() ? subscription.subscribes() : 1;
        for (int i = 0; i < answers; i++) {
            client.write(frame);
        }
        client.flush();
    }

    private void unsubscribe(ClientConnection client, String videoId) {
        Subscription subscription = client.subscription(videoId);
        if (subscription == null) {
            client.send(clients.error(ErrorCodes.BAD_REQUEST, "not subscribed to this video", videoId));
            return;
        }
        // whatever it was doing (a read, a replay waiting for the client) stops here; nothing of it follows
        int unanswered = subscription.isStarting() ? subscription.subscribes() : 0;
        subscription.close();
        for (int i = 0; i < unanswered; i++) {
            // its subscribes get their answer before the unsubscribe's: one answer per message, in order
            client.write(clients.frames().subscribed(videoId));
        }
        client.send(clients.frames().unsubscribed(videoId));
    }

    /** The feed: its answer, then its snapshot or what follows the cursor, then its changes, live. One per socket. */
    private void subscribeFeed(ClientConnection client, FeedCursor cursor) {
        FeedSubscription existing = client.feed();
        if (existing != null) {
            // already open: nothing changes, as for a video subscribed twice
            client.send(clients.frames().feedSubscribed(existing.scope()));
            return;
        }
        Optional<FeedScope> scope = guard.feedScope(client.socket());
        if (scope.isEmpty()) {
            client.send(clients.frames().feedError(ErrorCodes.FORBIDDEN, "the token names no subject, so there is no feed of own videos"));
            return;
        }
        client.write(clients.frames().feedSubscribed(scope.get()));
        feeds.open(client, scope.get(), cursor, false, () -> feedEnded(client));
        client.flush();
    }

    /**
     * A replacement token may change what the caller sees (an admin no longer, or now): the feed starts over in the
     * new scope, its snapshot marked {@code resync}, so the client replaces what it had.
     */
    private void feedScopeMayHaveChanged(ClientConnection client) {
        FeedSubscription feed = client.feed();
        if (feed == null) {
            return;
        }
        Optional<FeedScope> scope = guard.feedScope(client.socket());
        if (scope.isPresent() && scope.get().equals(feed.scope())) {
            return;
        }
        feed.close();
        if (scope.isEmpty()) {
            client.send(clients.frames().feedError(ErrorCodes.FORBIDDEN, "the new token names no subject; the feed ended"));
            return;
        }
        client.write(clients.frames().feedSubscribed(scope.get()));
        feeds.open(client, scope.get(), null, true, () -> feedEnded(client));
        client.flush();
    }

    private void feedEnded(ClientConnection client) {
        Log.warnf("the feed of socket %s could not be read from the database; it ended", client.id());
        client.send(clients.frames().feedError(ErrorCodes.INTERNAL, "could not read the feed; subscribe again with the last cursor"));
    }

    private void unsubscribeFeed(ClientConnection client) {
        FeedSubscription feed = client.feed();
        if (feed == null) {
            client.send(clients.frames().feedError(ErrorCodes.BAD_REQUEST, "no feed on this socket"));
            return;
        }
        feed.close();
        client.send(clients.frames().feedUnsubscribed());
    }

    @OnBinaryMessage
    @NonBlocking
    public void onBinary(Buffer data, WebSocketConnection socket) {
        ClientConnection client = clients.of(socket);
        if (client != null && clients.admit(client, data.length())) {
            client.send(clients.error(ErrorCodes.BAD_REQUEST, "messages are JSON text frames", null));
        }
    }

    @OnPongMessage
    @NonBlocking
    public void onPong(Buffer data, WebSocketConnection socket) {
        clients.ponged(socket);
    }

    @OnError
    @NonBlocking
    public void onError(Throwable failure, WebSocketConnection socket) {
        clients.failed(socket, failure);
    }

    @OnClose
    @NonBlocking
    public void onClose(WebSocketConnection socket) {
        clients.closed(socket);
    }
}

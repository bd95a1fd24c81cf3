package io.videoevents.socket;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.logging.Log;
import io.quarkus.websockets.next.OnBinaryMessage;
import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnError;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.OnPongMessage;
import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.common.annotation.NonBlocking;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;

/**
 * {@code /events}: many videos on one socket. The client sends {@code subscribe} / {@code unsubscribe};
 * each subscription then behaves exactly like the one-video socket (same code underneath). Bad input
 * gets an {@code error} and the socket stays usable, unless the client keeps misbehaving.
 */
@WebSocket(path = "/events")
public class EventsSocket {

    private final Clients clients;
    private final ObjectMapper json;

    EventsSocket(Clients clients, ObjectMapper json) {
        this.clients = clients;
        this.json = json;
    }

    @OnOpen
    @NonBlocking
    public void onOpen(WebSocketConnection socket) {
        clients.opened(socket);
    }

    /**
     * Messages of one socket are handled one after the other: the returned Uni completes when this one
     * is done, so an {@code auth} is verified before a {@code subscribe} sent right behind it is read.
     */
    @OnTextMessage
    public Uni<Void> onMessage(String text, WebSocketConnection socket) {
        ClientConnection client = clients.of(socket);
        if (client == null || !clients.admit(client, clients.utf8Size(text))) {
            return Uni.createFrom().voidItem();
        }
        ClientMessage message = ClientMessage.parse(text, json);
        if (message instanceof ClientMessage.Auth auth) {
            return clients.authenticate(client, auth.token()).replaceWithVoid();
        }
        if (client.awaitingAuth()) {
            clients.requireAuthFirst(client);
        } else if (message instanceof ClientMessage.Subscribe subscribe) {
            return subscribe(client, subscribe);
        } else if (message instanceof ClientMessage.Unsubscribe unsubscribe) {
            unsubscribe(client, unsubscribe.videoId());
        } else if (message instanceof ClientMessage.Invalid invalid) {
            client.send(clients.error(ErrorCodes.BAD_REQUEST, invalid.reason(), invalid.videoId()));
        } else {
            throw new IllegalStateException("unhandled message " + message);
        }
        return Uni.createFrom().voidItem();
    }

    private Uni<Void> subscribe(ClientConnection client, ClientMessage.Subscribe subscribe) {
        String videoId = subscribe.videoId();
        if (client.subscription(videoId) == null && client.subscriptionCount() >= clients.limits().maxSubscriptions()) {
            client.send(clients.error(ErrorCodes.TOO_MANY_SUBSCRIPTIONS,
                    "at most " + clients.limits().maxSubscriptions() + " videos per socket; unsubscribe from one first", videoId));
            return Uni.createFrom().voidItem();
        }
        return clients.subscribe(client, videoId, subscribe.after(), clients.frames().subscribed(videoId))
                .invoke(start -> {
                    switch (start) {
                        case NOT_FOUND -> client.send(clients.error(ErrorCodes.NOT_FOUND, "no video with this id", videoId));
                        case FORBIDDEN -> client.send(clients.error(ErrorCodes.FORBIDDEN, "not allowed to watch this video", videoId));
                        case ALREADY -> client.send(clients.frames().subscribed(videoId));
                        case LIVE -> {
                        }
                    }
                })
                .onFailure().invoke(failure -> {
                    Log.errorf(failure, "could not start a subscription to video %s", videoId);
                    client.send(clients.error(ErrorCodes.INTERNAL, "could not read the video; subscribe again later", videoId));
                })
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    private void unsubscribe(ClientConnection client, String videoId) {
        Subscription subscription = client.subscription(videoId);
        if (subscription == null) {
            client.send(clients.error(ErrorCodes.BAD_REQUEST, "not subscribed to this video", videoId));
            return;
        }
        subscription.unsubscribe(clients.frames().unsubscribed(videoId));
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

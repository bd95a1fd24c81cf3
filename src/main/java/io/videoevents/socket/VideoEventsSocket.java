package io.videoevents.socket;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;

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
import io.quarkus.logging.Log;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.videoevents.video.VideoIds;
import io.videoevents.video.Versions;

/**
 * {@code /videos/{videoId}/events}: one video per socket. A snapshot (or, with {@code ?after=V}, the
 * log after V) then every change, live. Takes no messages from the client.
 */
@WebSocket(path = "/videos/{videoId}/events")
public class VideoEventsSocket {

    private final Clients clients;
    private final ObjectMapper json;

    VideoEventsSocket(Clients clients, ObjectMapper json) {
        this.clients = clients;
        this.json = json;
    }

    @OnOpen
    public Uni<Void> onOpen(WebSocketConnection socket) {
        ClientConnection client = clients.opened(socket);
        String videoId = socket.pathParam("videoId");
        if (!VideoIds.isValid(videoId)) {
            client.fail(clients.error(ErrorCodes.BAD_REQUEST, "videoId must be " + VideoIds.RULE, null),
                    ErrorCodes.CLOSE_POLICY, "invalid videoId");
            return Uni.createFrom().voidItem();
        }
        OptionalLong after;
        try {
            after = afterParameter(socket.handshakeRequest().query());
        } catch (IllegalArgumentException e) {
            client.fail(clients.error(ErrorCodes.BAD_REQUEST, e.getMessage(), videoId), ErrorCodes.CLOSE_POLICY,
                    "invalid after");
            return Uni.createFrom().voidItem();
        }
        if (client.awaitingAuth()) {
            // a browser authenticates with its first message; the subscription starts after it
            client.pendingStart(after);
            return Uni.createFrom().voidItem();
        }
        return start(client, videoId, after);
    }

    private Uni<Void> start(ClientConnection client, String videoId, OptionalLong after) {
        return clients.subscribe(client, videoId, after, null)
                .invoke(start -> {
                    if (start == Subscription.Start.NOT_FOUND) {
                        client.fail(clients.error(ErrorCodes.NOT_FOUND, "no video with this id", videoId),
                                ErrorCodes.CLOSE_NOT_FOUND, "unknown video");
                    } else if (start == Subscription.Start.FORBIDDEN) {
                        client.fail(clients.error(ErrorCodes.FORBIDDEN, "not allowed to watch this video", videoId),
                                ErrorCodes.CLOSE_FORBIDDEN, "forbidden");
                    }
                })
                .onFailure().invoke(failure -> {
                    Log.errorf(failure, "could not start a subscription to video %s", videoId);
                    client.fail(clients.error(ErrorCodes.INTERNAL, "could not read the video; retry later", videoId),
                            ErrorCodes.CLOSE_INTERNAL, "internal error");
                })
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    /** Only {@code auth} is understood here (first, or to replace the token); anything else is a bad request. */
    @OnTextMessage
    public Uni<Void> onMessage(String message, WebSocketConnection socket) {
        ClientConnection client = clients.of(socket);
        if (client == null || !clients.admit(client, clients.utf8Size(message))) {
            return Uni.createFrom().voidItem();
        }
        if (ClientMessage.parse(message, json) instanceof ClientMessage.Auth auth) {
            boolean first = client.awaitingAuth();
            return clients.authenticate(client, auth.token())
                    .flatMap(ok -> ok && first ? start(client, socket.pathParam("videoId"), client.pendingStart())
                            : Uni.createFrom().voidItem());
        }
        if (client.awaitingAuth()) {
            clients.requireAuthFirst(client);
        } else {
            client.send(clients.error(ErrorCodes.BAD_REQUEST,
                    "this socket takes only auth messages; use /events to subscribe to several videos", socket.pathParam("videoId")));
        }
        return Uni.createFrom().voidItem();
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

    /** Reads {@code after} from a raw query string: absent, or a non-negative integer. */
    static OptionalLong afterParameter(String query) {
        if (query == null || query.isEmpty()) {
            return OptionalLong.empty();
        }
        OptionalLong after = OptionalLong.empty();
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            if (!name.equals("after")) {
                continue;
            }
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            after = OptionalLong.of(Versions.parseAfter(value));
        }
        return after;
    }
}

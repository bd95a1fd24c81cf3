package io.videoevents.socket;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;

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
import io.vertx.core.buffer.Buffer;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.videoevents.VideoLog;
import io.videoevents.subscription.Resume;
import io.videoevents.subscription.Subscription;
import io.videoevents.subscription.SubscriptionState;
import io.videoevents.video.VideoIds;
import io.videoevents.video.ChangeTag;
import io.videoevents.video.Versions;

/**
 * {@code /videos/{videoId}/events}: one video per socket. A snapshot (or, with {@code ?after=V}, the
 * log after V) then every change, live. Takes no messages from the client.
 */
// messages are handled on arrival and never block, so WebSockets Next needs no per-socket queue for them
@WebSocket(path = "/videos/{videoId}/events", inboundProcessingMode = InboundProcessingMode.CONCURRENT)
public class VideoEventsSocket {

    private static final VideoLog VIDEO_LOG = VideoLog.of(VideoEventsSocket.class);

    private final Clients clients;
    private final ObjectMapper json;

    VideoEventsSocket(Clients clients, ObjectMapper json) {
        this.clients = clients;
        this.json = json;
    }

    @OnOpen
    @NonBlocking
    public void onOpen(WebSocketConnection socket) {
        ClientConnection client = clients.opened(socket);
        if (client == null) {
            return;
        }
        String videoId = socket.pathParam("videoId");
        if (!VideoIds.isValid(videoId)) {
            client.fail(clients.error(ErrorCodes.BAD_REQUEST, "videoId must be " + VideoIds.RULE, null),
                    ErrorCodes.CLOSE_POLICY, "invalid videoId");
            return;
        }
        Resume resume;
        try {
            resume = resumeParameters(socket.handshakeRequest().query());
            client.forgetUpgradeHeaders();
        } catch (IllegalArgumentException e) {
            client.fail(clients.error(ErrorCodes.BAD_REQUEST, e.getMessage(), videoId), ErrorCodes.CLOSE_POLICY,
                    "invalid after");
            return;
        }
        if (client.awaitingAuth()) {
            // a browser authenticates with its first message; the subscription starts after it
            client.pendingStart(resume);
            return;
        }
        start(client, videoId, resume);
    }

    private void start(ClientConnection client, String videoId, Resume resume) {
        // does nothing on a socket that is already closing
        clients.subscribe(client, videoId, resume, null, (subscription, ending) -> ended(client, subscription, ending));
    }

    /** The socket's only subscription ended by itself: say why, then close with the matching code. */
    private void ended(ClientConnection client, Subscription subscription, SubscriptionState.Ending ending) {
        String videoId = subscription.videoId;
        switch (ending) {
            case DELETED -> {
                client.send(clients.frames().deleted(videoId));
                client.close(ErrorCodes.CLOSE_NOT_FOUND, "video deleted");
            }
            case FORBIDDEN -> client.fail(clients.error(ErrorCodes.FORBIDDEN, "not allowed to watch this video", videoId),
                    ErrorCodes.CLOSE_FORBIDDEN, "forbidden");
            case NOT_FOUND -> client.fail(clients.error(ErrorCodes.NOT_FOUND, "no video with this id", videoId),
                    ErrorCodes.CLOSE_NOT_FOUND, "unknown video");
            case INTERNAL -> {
                VIDEO_LOG.warnf(videoId, "video %s: the database could not be read for socket %s; closing it", videoId, client.id());
                client.fail(clients.error(ErrorCodes.INTERNAL, "could not read the video; retry later", videoId),
                        ErrorCodes.CLOSE_INTERNAL, "internal error");
            }
        }
    }

    /** Only {@code auth} is understood here (first, or to replace the token); anything else is a bad request. */
    @OnTextMessage
    @NonBlocking
    public void onMessage(String message, WebSocketConnection socket) {
        ClientConnection client = clients.of(socket);
        if (client == null || !clients.admit(client, clients.utf8Size(message))) {
            return;
        }
        ClientMessage parsed = ClientMessage.parse(message, json);
        boolean accepted = client.inOrder(() -> {
            if (client.isClosing()) {
                return;
            }
            if (parsed instanceof ClientMessage.Auth auth) {
                clients.authenticate(client, auth.token(), (c, first) -> {
                    if (first) {
                        start(c, socket.pathParam("videoId"), c.pendingStart());
                    }
                });
            } else if (client.awaitingAuth()) {
                clients.requireAuthFirst(client);
            } else {
                client.send(clients.error(ErrorCodes.BAD_REQUEST,
                        "this socket takes only auth messages; use /events to subscribe to several videos", socket.pathParam("videoId")));
            }
        });
        if (!accepted) {
            client.send(clients.error(ErrorCodes.RATE_LIMITED, "too many messages while a token is being verified; slow down",
                    null));
        }
    }

    /** Bad input gets an error here too: this socket takes only {@code auth} text messages. */
    @OnBinaryMessage
    @NonBlocking
    public void onBinary(Buffer data, WebSocketConnection socket) {
        ClientConnection client = clients.of(socket);
        if (client != null && clients.admit(client, data.length())) {
            client.send(clients.error(ErrorCodes.BAD_REQUEST, "messages are JSON text frames", socket.pathParam("videoId")));
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

    /** {@code ?after=V} and, from clients that know tags, {@code &tag=T}: the tag of the change at V they received. */
    static Resume resumeParameters(String query) {
        OptionalLong after = afterParameter(query);
        String tag = parameter(query, "tag");
        if (tag == null) {
            return new Resume(after, 0);
        }
        if (after.isEmpty()) {
            throw new IllegalArgumentException("tag goes with after: the tag of the change at that version");
        }
        return new Resume(after, ChangeTag.parse(tag));
    }

    /** The last value of the query parameter {@code wanted}, decoded, or null ("" for a name without a value). */
    private static String parameter(String query, String wanted) {
        if (query == null || query.isEmpty()) {
            return null;
        }
        String found = null;
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            if (name.equals(wanted)) {
                found = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return found;
    }
}

package io.videoevents.bench;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;

/**
 * The sockets on Vert.x's non-blocking WebSocket client, set up as the {@code load} scenario does: two
 * event loops, one client per loopback source address, frames handled on the socket's event loop.
 */
final class VertxFleet extends Fleet {

    private final Vertx vertx;
    private final List<WebSocketClient> clients = new ArrayList<>();
    /** One context per event loop: every connect is made from one, see {@link #open}. */
    private final List<io.vertx.core.Context> contexts;

    VertxFleet(URI service, String[] videoIds, int sockets, int sourceAddresses) {
        super(service, videoIds, sockets);
        this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
        this.contexts = eventLoopContexts(vertx, 2);
        for (int a = 1; a <= sourceAddresses; a++) {
            clients.add(vertx.createWebSocketClient(new WebSocketClientOptions()
                    .setMaxConnections(Integer.MAX_VALUE)
                    .setLocalAddress(LoadTool.sourceAddress(a, sourceAddresses))
                    .setConnectTimeout(30_000)));
        }
    }

    @Override
    protected void open(Sock sock) {
        WebSocketConnectOptions connect = new WebSocketConnectOptions()
                .setHost(service.getHost())
                .setPort(service.getPort())
                .setURI(path(sock));
        // Connect from an event-loop context and register the completion handler in the same task. The
        // socket then lives on that loop, and its completion (which resumes the socket before calling the
        // handler) cannot run until the handler is in place. Called from any other thread, the handshake
        // may complete first: the handler then runs later and the snapshot, if it arrived in between, is
        // dropped by Vert.x for want of a text handler (one socket of 10,000 in one storm, never answered).
        contexts.get(sock.index % contexts.size()).runOnContext(v -> connectOnLoop(sock, connect));
    }

    private void connectOnLoop(Sock sock, WebSocketConnectOptions connect) {
        // a retry goes out from the next source address
        clients.get((sock.index + sock.attempts - 1) % clients.size()).connect(connect).onComplete(result -> {
            if (result.failed()) {
                failed(sock, result.cause());
                return;
            }
            WebSocket ws = result.result();
            opened(sock, ws);
            ws.textMessageHandler(text -> text(sock, text, System.nanoTime()));
            ws.closeHandler(ignored -> closed(sock, ws.closeStatusCode() == null ? -1 : ws.closeStatusCode(), ws.closeReason()));
        });
    }

    @Override
    protected String describe(Sock sock) {
        return sock.handle instanceof WebSocket ws ? "local " + ws.localAddress() + ", closed " + ws.isClosed() : "no socket";
    }

    @Override
    protected void close(Sock sock) {
        if (sock.handle instanceof WebSocket ws && !ws.isClosed()) {
            ws.close();
        }
    }

    @Override
    public void close() {
        closeAll(10);
        Driver.await(vertx.close());
    }
}

package io.videoevents.bench;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;

/**
 * The sockets on {@link RawSocket}: a fixed upgrade request written to a Vert.x TCP connection and frames
 * cut out of what comes back, on two event loops. No HTTP client, no check of the server's accept key,
 * nothing kept per socket beyond its buffer: the client for measuring how many connects with snapshot
 * per second the service itself can take, which the library clients (several hundred microseconds of
 * CPU per connect each) cannot show on a machine they share with the service.
 */
final class RawFleet extends Fleet {

    private final Vertx vertx;
    private final List<NetClient> clients = new ArrayList<>();
    private final List<Context> contexts;

    RawFleet(URI service, String[] videoIds, int sockets, int sourceAddresses) {
        super(service, videoIds, sockets);
        this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
        this.contexts = eventLoopContexts(vertx, 2);
        for (int a = 1; a <= sourceAddresses; a++) {
            clients.add(vertx.createNetClient(
                    new NetClientOptions().setLocalAddress(LoadTool.sourceAddress(a, sourceAddresses)).setConnectTimeout(30_000)));
        }
    }

    @Override
    protected void open(Sock sock) {
        // as in VertxFleet: from an event-loop context, so every callback of the socket runs there
        contexts.get(sock.index % contexts.size()).runOnContext(v -> RawSocket.connect(
                clients.get((sock.index + sock.attempts - 1) % clients.size()), service.getHost(), service.getPort(), path(sock),
                new Listener(sock)));
    }

    @Override
    protected String describe(Sock sock) {
        return sock.handle instanceof RawSocket raw ? "ended " + raw.isEnded() : "no socket";
    }

    @Override
    protected void close(Sock sock) {
        if (sock.handle instanceof RawSocket raw && !raw.isEnded()) {
            raw.close(1000);
        }
    }

    @Override
    public void close() {
        closeAll(10);
        Driver.await(vertx.close());
    }

    private final class Listener implements RawSocket.Listener {
        private final Sock sock;
        private RawSocket socket;
        private boolean refused;
        private int code = -1;
        private String reason = "";

        Listener(Sock sock) {
            this.sock = sock;
        }

        @Override
        public void opened(RawSocket socket) {
            this.socket = socket;
            RawFleet.this.opened(sock, socket);
        }

        @Override
        public void refused(String statusLine) {
            refused = true;
            failed(sock, new IOException(statusLine == null ? "connect failed" : "upgrade refused: " + statusLine));
        }

        @Override
        public void text(String text) {
            RawFleet.this.text(sock, text, System.nanoTime());
        }

        @Override
        public void status() {
            throw new IllegalStateException("status frames are decoded here");
        }

        @Override
        public boolean statusAsText() {
            return true;
        }

        @Override
        public void closeFrame(int code, String reason) {
            this.code = code;
            this.reason = reason;
        }

        @Override
        public void ended() {
            if (socket != null) {
                closed(sock, code, reason);
            } else if (!refused) {
                failed(sock, new IOException("connection ended before the upgrade's answer"));
            }
        }
    }
}

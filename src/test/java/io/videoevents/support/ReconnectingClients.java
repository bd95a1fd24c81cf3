package io.videoevents.support;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

/**
 * Many one-video socket clients that follow docs/protocol.md's reconnect rules exactly, as the bundled
 * browser client does: after a drop (any close but 4403/4404, or a failed connect) wait a random time
 * between half and all of a ceiling that starts at 250 ms and doubles per failed attempt up to 30 s
 * (reset once a socket opens); resume with {@code ?after=} the last version received; drop a version
 * already held. Each client counts what it had to drop or could not fill, so a test can require that
 * nothing was lost, repeated or reordered, and records when it lost and regained its socket.
 *
 * <p>Light enough for thousands: every client is a few fields and its socket, on two Vert.x event loops.
 */
public final class ReconnectingClients implements AutoCloseable {

    public static final long MIN_DELAY_MS = 250;
    public static final long MAX_DELAY_MS = 30_000;

    private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    private final WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions()
            .setMaxConnections(Integer.MAX_VALUE)
            .setConnectTimeout(10_000));
    private final URI base;
    private final Map<String, String> headers;
    private final List<Client> clients = new ArrayList<>();
    private final long startedAt = System.nanoTime();
    private volatile boolean closing;

    /** Starts one client per entry of {@code videoIds} (an id may repeat), through {@code base}. */
    public ReconnectingClients(URI base, Map<String, String> headers, List<String> videoIds) {
        this.base = base;
        this.headers = headers;
        for (String id : videoIds) {
            Client c = new Client(clients.size(), id);
            clients.add(c);
        }
        clients.forEach(c -> vertx.runOnContext(v -> c.open()));
    }

    public List<Client> clients() {
        return Collections.unmodifiableList(clients);
    }

    /** True when every client has an open socket and its first snapshot. */
    public boolean allOpen() {
        return clients.stream().allMatch(c -> c.socket != null && c.last >= 0);
    }

    /** True when every client holds its video up to the version in {@code versions}. */
    public boolean allReached(Map<String, Long> versions) {
        return clients.stream().allMatch(c -> c.last >= versions.get(c.videoId));
    }

    /** Milliseconds since these clients were started, the time base of every recorded instant. */
    public long now() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt);
    }

    @Override
    public void close() {
        closing = true;
        for (Client c : clients) {
            WebSocket ws = c.socket;
            if (ws != null) {
                vertx.runOnContext(v -> ws.close());
            }
        }
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            // the clients' threads end with the JVM at the latest
        }
    }

    /** One client. Its fields are written on the event loop and read by the test. */
    public final class Client {
        final int index;
        public final String videoId;
        volatile WebSocket socket;
        /** Last version held; -1 before the first snapshot. */
        volatile long last = -1;
        /** The version of the first snapshot: the client holds every version from here on. */
        volatile long first = -1;
        volatile int duplicates;
        volatile int gaps;
        volatile int resyncs;
        volatile int finalCloses;
        /** Socket losses (each followed by reconnecting); connects that failed. */
        volatile int drops;
        volatile int failedConnects;
        private int attempt;
        /** Instant (ms) the socket was lost, -1 while connected. */
        private volatile long lostAt = -1;
        private final List<long[]> outages = Collections.synchronizedList(new ArrayList<>());
        private final List<Long> opens = Collections.synchronizedList(new ArrayList<>());

        Client(int index, String videoId) {
            this.index = index;
            this.videoId = videoId;
        }

        public long last() {
            return last;
        }

        public long first() {
            return first;
        }

        public int duplicates() {
            return duplicates;
        }

        public int gaps() {
            return gaps;
        }

        public int resyncs() {
            return resyncs;
        }

        public int finalCloses() {
            return finalCloses;
        }

        /** How many times this client lost its socket and reconnected (or is reconnecting). */
        public int reconnects() {
            return drops;
        }

        public int failedConnects() {
            return failedConnects;
        }

        public boolean connected() {
            return socket != null;
        }

        /** Each loss of the socket that has ended: {lost at, open again at}, in ms since the start. */
        public List<long[]> outages() {
            synchronized (outages) {
                return List.copyOf(outages);
            }
        }

        /** Instants (ms since the start) at which a socket of this client opened. */
        public List<Long> opens() {
            synchronized (opens) {
                return List.copyOf(opens);
            }
        }

        void open() {
            if (closing) {
                return;
            }
            String path = "/videos/" + videoId + "/events" + (last >= 0 ? "?after=" + last : "");
            WebSocketConnectOptions connect = new WebSocketConnectOptions()
                    .setHost(base.getHost()).setPort(base.getPort()).setURI(path);
            headers.forEach(connect::addHeader);
            client.connect(connect).onComplete(result -> {
                if (result.failed()) {
                    failedConnects++;
                    retry();
                    return;
                }
                WebSocket ws = result.result();
                socket = ws;
                attempt = 0;
                long now = now();
                opens.add(now);
                if (lostAt >= 0) {
                    outages.add(new long[] { lostAt, now });
                    lostAt = -1;
                }
                ws.textMessageHandler(this::receive);
                ws.closeHandler(v -> closed(ws));
            });
        }

        private void receive(String text) {
            JsonObject message = new JsonObject(text);
            String type = message.getString("type");
            if (!"snapshot".equals(type) && !"status".equals(type)) {
                return;
            }
            long version = message.getLong("version");
            if ("snapshot".equals(type)) {
                if (Boolean.TRUE.equals(message.getBoolean("resync"))) {
                    resyncs++;
                } else if (last >= 0 && version <= last) {
                    duplicates++;
                    return;
                }
                if (first < 0) {
                    first = version;
                } else if (version > last + 1) {
                    gaps++;
                }
                last = version;
                return;
            }
            if (last >= 0 && version <= last) {
                duplicates++; // dropped, as the protocol asks
                return;
            }
            if (last < 0 || version != last + 1) {
                gaps++;
            }
            last = version;
        }

        private void closed(WebSocket ws) {
            if (socket != ws) {
                return;
            }
            socket = null;
            Short code = ws.closeStatusCode();
            if (code != null && (code == 4403 || code == 4404 || code == 4401)) {
                finalCloses++;
                return;
            }
            if (closing) {
                return;
            }
            drops++;
            lostAt = now();
            retry();
        }

        private void retry() {
            if (closing) {
                return;
            }
            long ceiling = Math.min(MAX_DELAY_MS, MIN_DELAY_MS << Math.min(attempt, 20));
            long delay = ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1);
            attempt++;
            vertx.setTimer(delay, t -> open());
        }
    }
}

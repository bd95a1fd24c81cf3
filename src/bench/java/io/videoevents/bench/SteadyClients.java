package io.videoevents.bench;

import java.net.URI;
import java.util.*;
import java.util.concurrent.*;
import io.vertx.core.*;
import io.vertx.core.http.*;

/** The soak's well-behaved sockets, as the protocol asks a client to behave. */
final class SteadyClients implements AutoCloseable {
    private final Vertx vertx;
    private final List<WebSocketClient> clients = new ArrayList<>();
    private final URI service;
    private final String[] ids;
    private final List<Client> all = new ArrayList<>();
    private final Map<String, Long> events = new TreeMap<>();
    private final List<String> samples = new ArrayList<>();
    // commit (occurredAt) → frame received, in µs, of every status frame (the clocks are the same machine's)
    private final org.HdrHistogram.Recorder latency = new org.HdrHistogram.Recorder(3);
    private volatile boolean closing;

    /** Even sockets watch one video on {@code /videos/{id}/events}, odd ones {@code perSocket} videos on {@code /events}. */
    SteadyClients(URI service, String[] ids, int sockets, int perSocket, int sourceAddresses) {
        this.service = service;
        this.ids = ids;
        this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
        for (int a = 1; a <= sourceAddresses; a++) {
            clients.add(vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(Integer.MAX_VALUE)
                    .setLocalAddress(LoadTool.sourceAddress(a, sourceAddresses)).setConnectTimeout(30_000)));
        }
        int next = 0;
        for (int i = 0; i < sockets; i++) {
            boolean oneVideo = i % 2 == 0;
            int[] videos = new int[oneVideo ? 1 : perSocket];
            for (int k = 0; k < videos.length; k++) {
                // spread over every video; the long-history ones come first
                videos[k] = next++ % ids.length;
            }
            all.add(new Client(i, oneVideo, videos));
        }
    }

    /** Opens every socket, {@code perSecond} a second; returns the seconds it took until each is watching its videos, or -1. */
    double open(int perSecond, int timeoutSeconds) {
        long started = System.nanoTime();
        for (int i = 0; i < all.size(); i++) {
            long due = started + i * 1_000_000_000L / perSecond;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LoadTool.sleepMillis(TimeUnit.NANOSECONDS.toMillis(wait));
            }
            Client client = all.get(i);
            client.context.runOnContext(ignored -> client.connect());
        }
        return LoadTool.await(() -> all.stream().allMatch(Client::watching), timeoutSeconds) ? (System.nanoTime() - started) / 1e9 : -1;
    }

    /** Waits at most {@code seconds} until every watched video is live on its current stream at its last version; true if so. */
    boolean awaitCaughtUp(SoakWorkers.Streams streams, int seconds) {
        if (LoadTool.await(() -> behind(streams).isEmpty(), seconds)) {
            return true;
        }
        List<String> behind = behind(streams);
        problem(String.format(Locale.ROOT, "%,d watched videos not caught up after %d s, e.g. %s", behind.size(), seconds,
                behind.subList(0, Math.min(5, behind.size()))));
        return false;
    }

    private List<String> behind(SoakWorkers.Streams streams) {
        List<String> behind = new ArrayList<>();
        for (Client client : all) {
            synchronized (client) {
                for (Track t : client.tracks) {
                    SoakWorkers.Streams.Stream s = streams.current(t.video);
                    long last = s == null ? -1 : streams.last(t.video, s);
                    if (t.open == null || s == null || t.open.last != last) {
                        behind.add(ids[t.video] + " on socket " + client.index + ": at " + (t.open == null ? "-" : t.open.last)
                                + ", committed " + last);
                    }
                }
            }
        }
        return behind;
    }

    /** Closes every socket normally and waits at most {@code seconds} for them to be closed. */
    void closeAll(int seconds) {
        closing = true;
        for (Client client : all) {
            WebSocket ws = client.ws;
            if (ws != null && !ws.isClosed()) {
                ws.close();
            }
        }
        LoadTool.await(() -> all.stream().allMatch(c -> c.ws == null), seconds);
    }

    @Override
    public void close() {
        closeAll(10);
        vertx.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> null).join();
    }

    /** What the well-behaved sockets received against what was committed. */
    record Checked(int sockets, int watched, long expected, long received, long lost, long lostAtDeletion, long duplicates,
            long outOfOrder, long skippedWhileAway, long missedDeletions, long protocolErrors, Map<String, Long> events,
            double latencyP50Ms, double latencyP99Ms, double latencyMaxMs, List<String> samples) {
        boolean clean() {
            return lost == 0 && lostAtDeletion == 0 && duplicates == 0 && outOfOrder == 0 && missedDeletions == 0 && protocolErrors == 0;
        }
    }

    Checked check(SoakWorkers.Streams streams) {
        long expected = 0;
        long received = 0;
        long lost = 0;
        long lostAtDeletion = 0;
        long duplicates = 0;
        long outOfOrder = 0;
        long skipped = 0;
        long missedDeletions = 0;
        long errors = 0;
        int watched = 0;
        List<String> found = new ArrayList<>();
        for (Client client : all) {
            synchronized (client) {
                duplicates += client.duplicates;
                outOfOrder += client.outOfOrder;
                errors += client.errors;
                for (Track t : client.tracks) {
                    watched++;
                    for (Segment g : t.segments) {
                        SoakWorkers.Streams.Stream s = streams.of(t.video, g.baseline);
                        if (s == null) {
                            errors++;
                            sample(found, "socket %d, %s: snapshot at version %d, which no stream holds", client.index, ids[t.video], g.baseline);
                            continue;
                        }
                        long streamLast = streams.last(t.video, s);
                        boolean streamDeleted = streams.deleted(t.video, s);
                        long end;
                        if (g.end == null) {
                            end = streamLast;
                            if (streamDeleted) {
                                missedDeletions++;
                                sample(found, "socket %d, %s: its stream was deleted at version %d; no deleted came", client.index,
                                        ids[t.video], streamLast);
                            }
                        } else if (g.end.equals("deleted")) {
                            end = streamLast;
                            if (!streamDeleted) {
                                errors++;
                                sample(found, "socket %d, %s: deleted for a stream that was not deleted", client.index, ids[t.video]);
                            }
                        } else {
                            // resync or not_found after coming back: the stream ended while the client was away
                            end = g.last;
                            skipped += Math.max(0, streamLast - g.last);
                        }
                        long got = count(t.got, g.baseline + 1, end);
                        expected += Math.max(0, end - g.baseline);
                        received += got;
                        long missingBelowLast = Math.max(0, Math.min(end, g.last) - g.baseline) - count(t.got, g.baseline + 1, Math.min(end, g.last));
                        long missingTail = Math.max(0, end - Math.max(g.last, g.baseline));
                        lost += missingBelowLast;
                        if ("deleted".equals(g.end)) {
                            lostAtDeletion += missingTail;
                            if (missingTail > 0) {
                                sample(found, "socket %d, %s: deleted after version %d; versions up to %d were committed before the deletion",
                                        client.index, ids[t.video], g.last, end);
                            }
                        } else {
                            lost += missingTail;
                        }
                        if (missingBelowLast + (g.end == null ? missingTail : 0) > 0) {
                            sample(found, "socket %d, %s: from %d to %d (received up to %d), %d missing", client.index, ids[t.video],
                                    g.baseline, end, g.last, missingBelowLast + (g.end == null ? missingTail : 0));
                        }
                    }
                }
            }
        }
        List<String> all = new ArrayList<>(found);
        synchronized (samples) {
            all.addAll(samples);
        }
        org.HdrHistogram.Histogram h = latency.getIntervalHistogram();
        synchronized (events) {
            return new Checked(this.all.size(), watched, expected, received, lost, lostAtDeletion, duplicates, outOfOrder, skipped,
                    missedDeletions, errors, new TreeMap<>(events), h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0,
                    h.getMaxValue() / 1000.0, all.subList(0, Math.min(20, all.size())));
        }
    }

    private static long count(BitSet got, long from, long to) {
        return to < from ? 0 : got.get((int) from, (int) to + 1).cardinality();
    }

    private static void sample(List<String> samples, String format, Object... args) {
        if (samples.size() < 20) {
            samples.add(String.format(Locale.ROOT, format, args));
        }
    }

    private void event(String what) {
        synchronized (events) {
            events.merge(what, 1L, Long::sum);
        }
    }

    private void problem(String text) {
        synchronized (samples) {
            if (samples.size() < 20) {
                samples.add(text);
            }
        }
    }

    /** A run of versions of one stream that a socket was to receive. */
    private static final class Segment {
        final long baseline;
        long last;
        /** null while open; "deleted", "resync" or "not_found" once ended */
        String end;

        Segment(long baseline) {
            this.baseline = baseline;
            this.last = baseline;
        }
    }

    /** One video watched by one socket. */
    private static final class Track {
        final int video;
        final BitSet got = new BitSet();
        final List<Segment> segments = new ArrayList<>(1);
        Segment open;
        boolean answered;

        Track(int video) {
            this.video = video;
        }

        /** What to resume from: the last version received, or -1 to start with a snapshot. */
        long after() {
            return segments.isEmpty() ? -1 : segments.get(segments.size() - 1).last;
        }
    }

    /** One well-behaved socket; its handlers run on its event loop, the checks lock it. */
    private final class Client {
        final int index;
        final boolean oneVideo;
        final Track[] tracks;
        // connects start on the socket's event loop, so its handlers are set before its first frame can arrive
        final io.vertx.core.Context context = vertx.getOrCreateContext();
        volatile WebSocket ws;
        long duplicates;
        long outOfOrder;
        long errors;

        Client(int index, boolean oneVideo, int[] videos) {
            this.index = index;
            this.oneVideo = oneVideo;
            this.tracks = new Track[videos.length];
            for (int k = 0; k < videos.length; k++) {
                tracks[k] = new Track(videos[k]);
            }
        }

        synchronized boolean watching() {
            for (Track t : tracks) {
                if (t.open == null) {
                    return false;
                }
            }
            return true;
        }

        void connect() {
            if (closing) {
                return;
            }
            String path;
            synchronized (this) {
                if (oneVideo) {
                    long after = tracks[0].after();
                    path = "/videos/" + ids[tracks[0].video] + "/events" + (after >= 0 ? "?after=" + after : "");
                } else {
                    path = "/events";
                }
            }
            WebSocketConnectOptions connect = new WebSocketConnectOptions().setHost(service.getHost()).setPort(service.getPort())
                    .setURI(path);
            clients.get(index % clients.size()).connect(connect).onComplete(result -> {
                if (result.failed()) {
                    event("connect failed, tried again");
                    reconnect(1000);
                    return;
                }
                WebSocket socket = result.result();
                if (closing) {
                    socket.close();
                    return;
                }
                ws = socket;
                socket.textMessageHandler(this::received);
                socket.closeHandler(ignored -> closed(socket));
                if (!oneVideo) {
                    for (Track t : tracks) {
                        subscribe(t);
                    }
                }
            });
        }

        void subscribe(Track t) {
            WebSocket socket = ws;
            if (socket == null || socket.isClosed() || closing) {
                return;
            }
            long after;
            synchronized (this) {
                after = t.after();
                t.answered = false;
            }
            socket.writeTextMessage("{\"type\":\"subscribe\",\"videoId\":\"" + ids[t.video] + "\"" + (after >= 0 ? ",\"after\":" + after : "")
                    + "}");
        }

        void closed(WebSocket socket) {
            ws = null;
            if (closing) {
                return;
            }
            Short code = socket.closeStatusCode();
            event("closed by the service " + (code == null ? "without a close frame" : code) + ", came back with after");
            reconnect(500);
        }

        void reconnect(long millis) {
            vertx.setTimer(millis + ThreadLocalRandom.current().nextInt(1500), t -> connect());
        }

        void received(String text) {
            String type = Json.string(text, "type");
            String videoId = Json.string(text, "videoId");
            Track t = track(videoId);
            synchronized (this) {
                if (t == null) {
                    errors++;
                    problem("socket " + index + ": a frame for a video it does not watch: " + text);
                    return;
                }
                switch (type == null ? "" : type) {
                    case "subscribed" -> t.answered = true;
                    case "snapshot" -> {
                        long version = Json.number(text, "version");
                        boolean resync = text.contains("\"resync\":true");
                        if (t.open != null) {
                            if (!resync) {
                                errors++;
                                problem("socket " + index + ": a second snapshot without resync: " + text);
                            } else {
                                event("resync snapshot on coming back (the stream ended meanwhile)");
                            }
                            t.open.end = "resync";
                        } else if (resync) {
                            event("resync snapshot after deleted: a new stream of the id");
                        }
                        t.open = new Segment(version);
                        t.segments.add(t.open);
                    }
                    case "status" -> {
                        long version = Json.number(text, "version");
                        Segment g = t.open;
                        if (g == null) {
                            errors++;
                            problem("socket " + index + ": a status outside a subscription: " + text);
                            return;
                        }
                        if (version <= g.last) {
                            if (t.got.get((int) version) || version <= g.baseline) {
                                duplicates++;
                                problem("socket " + index + ": duplicate " + text);
                            } else {
                                outOfOrder++;
                                problem("socket " + index + ": out of order " + text + " after " + g.last);
                            }
                        }
                        t.got.set((int) version);
                        g.last = Math.max(g.last, version);
                        event("status received");
                        String occurred = Json.string(text, "occurredAt");
                        if (occurred != null) {
                            java.time.Instant at = java.time.Instant.parse(occurred);
                            long micros = java.time.Duration.between(at, java.time.Instant.now()).toNanos() / 1000;
                            latency.recordValue(Math.max(0, Math.min(micros, 600_000_000L)));
                        }
                    }
                    case "deleted" -> {
                        if (t.open != null) {
                            t.open.end = "deleted";
                            t.open = null;
                        }
                        event("deleted");
                        resubscribe(t, 0);
                    }
                    case "error" -> {
                        String code = Json.string(text, "code");
                        event("error " + code + (oneVideo ? " (one-video)" : ""));
                        if ("not_found".equals(code)) {
                            // resumed a stream that was deleted while away, and the id does not exist (yet)
                            if (t.open != null) {
                                t.open.end = "not_found";
                                t.open = null;
                            }
                            resubscribe(t, 1000);
                        } else if ("internal".equals(code) || "rate_limited".equals(code)) {
                            resubscribe(t, 0);
                        } else {
                            errors++;
                            problem("socket " + index + ": " + text);
                        }
                    }
                    default -> {
                        errors++;
                        problem("socket " + index + ": unexpected " + text);
                    }
                }
            }
        }

        private Track track(String videoId) {
            if (oneVideo) {
                return tracks[0];
            }
            for (Track t : tracks) {
                if (ids[t.video].equals(videoId)) {
                    return t;
                }
            }
            return null;
        }

        /** Subscribes to {@code t} again after 1-3 s ({@code base} ms more). */
        private void resubscribe(Track t, long base) {
            if (!oneVideo) {
                vertx.setTimer(base + 1000 + ThreadLocalRandom.current().nextInt(2000), id -> subscribe(t));
            }
        }
    }
}

package io.videoevents.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;

/**
 * The receiving sockets of this process, on Vert.x's non-blocking WebSocket client: socket {@code i}
 * of the run watches a fixed set of videos, on {@code /videos/{id}/events} or {@code /events}, and
 * connects from loopback address {@code 127.0.0.(1 + i % A)}, so several processes share the work
 * without talking to each other. Every status frame is stamped on arrival and checked against what
 * the socket already has: duplicate, out of order, or the next one. An {@code /events} socket with no videos
 * of its own follows the feed instead: its snapshot pages set where each video starts, and its {@code feed}
 * messages count like status frames.
 */
final class Receivers implements ReceiverGroup {

    private final Options options;
    private final Vertx vertx;
    private final List<WebSocketClient> clients = new ArrayList<>();
    private final Map<String, Integer> videoIndex = new HashMap<>();
    private final Sock[] socks;
    private final Object lock = new Object();

    // every first arrival of a version: video, version, receive time (guarded by lock)
    private int size;
    private int[] videos = new int[1 << 16];
    private long[] versions = new long[1 << 16];
    private long[] receivedAt = new long[1 << 16];
    private long duplicates;
    private long outOfOrder;
    private long errors;
    private long unexpectedCloses;
    private final List<String> samples = new ArrayList<>();

    // connecting (guarded by lock)
    private int next;
    private int ready;
    private int failed;
    private int closedBeforeReady;
    private Promise<Void> allConnected;
    private volatile boolean closing;

    Receivers(Options options) {
        this.options = options;
        this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(options.eventLoops()));
        for (int a = 1; a <= options.sourceAddresses(); a++) {
            clients.add(vertx.createWebSocketClient(new WebSocketClientOptions()
                    .setMaxConnections(Integer.MAX_VALUE)
                    .setLocalAddress(LoadTool.sourceAddress(a, options.sourceAddresses()))
                    .setConnectTimeout(30_000)));
        }
        for (int v = 0; v < options.videos(); v++) {
            videoIndex.put(options.videoId(v), v);
        }
        int oneVideoSockets = (int) Math.round(options.sockets() * (1 - options.multiplexedShare()));
        socks = new Sock[options.to() - options.from()];
        int k = options.videosPerSocket();
        for (int i = options.from(); i < options.to(); i++) {
            boolean multiplexed = i >= oneVideoSockets;
            boolean feed = multiplexed && k == 0;
            int[] watched = new int[feed ? options.videos() : multiplexed ? k : 1];
            for (int j = 0; j < watched.length; j++) {
                watched[j] = feed ? j : (int) (((long) i * watched.length + j) % options.videos());
            }
            socks[i - options.from()] = new Sock(i, multiplexed, feed, watched);
        }
    }

    @Override
    public Connected connect() {
        long started = System.nanoTime();
        allConnected = Promise.promise();
        synchronized (lock) {
            if (socks.length == 0) {
                allConnected.complete();
            }
            for (int i = 0; i < Math.min(options.connectConcurrency(), socks.length); i++) {
                open(socks[next++], 1);
            }
        }
        Driver.await(allConnected.future());
        synchronized (lock) {
            return new Connected(socks.length, ready, failed + closedBeforeReady, (System.nanoTime() - started) / 1e9);
        }
    }

    private void open(Sock sock, int attempt) {
        WebSocketConnectOptions connect = new WebSocketConnectOptions()
                .setHost(options.service().getHost())
                .setPort(options.service().getPort())
                .setURI(sock.multiplexed ? "/events" : "/videos/" + options.videoId(sock.videos[0]) + "/events");
        // a retry goes out from the next source address, so one address running out of ports is not fatal
        clients.get((sock.index + attempt - 1) % clients.size()).connect(connect).onComplete(result -> {
            if (result.failed()) {
                if (attempt < 3) {
                    vertx.setTimer(100L * attempt, id -> open(sock, attempt + 1));
                } else {
                    synchronized (lock) {
                        failed++;
                        sample("connect failed: " + result.cause());
                    }
                    connectedOne();
                }
                return;
            }
            WebSocket ws = result.result();
            sock.ws = ws;
            ws.textMessageHandler(text -> onText(sock, text));
            ws.closeHandler(ignored -> {
                if (!closing) {
                    boolean gaveUp;
                    synchronized (lock) {
                        unexpectedCloses++;
                        sample("socket " + sock.index + " closed by the service: " + ws.closeStatusCode() + " " + ws.closeReason());
                        gaveUp = !sock.ready;
                        if (gaveUp) {
                            closedBeforeReady++;
                        }
                    }
                    if (gaveUp) {
                        connectedOne();
                    }
                }
            });
            if (sock.feed) {
                ws.writeTextMessage("{\"type\":\"subscribeFeed\"}");
            } else if (sock.multiplexed) {
                for (int video : sock.videos) {
                    ws.writeTextMessage("{\"type\":\"subscribe\",\"videoId\":\"" + options.videoId(video) + "\"}");
                }
            }
        });
    }

    /** One socket is ready (or gave up): start the next. */
    private void connectedOne() {
        synchronized (lock) {
            if (next < socks.length) {
                open(socks[next++], 1);
            }
            if (ready + failed + closedBeforeReady >= socks.length) {
                allConnected.tryComplete();
            }
        }
    }

    private void onText(Sock sock, String text) {
        long now = System.nanoTime();
        String type = Json.string(text, "type");
        if ("feedSnapshot".equals(type)) {
            feedSnapshot(sock, text);
        } else if ("status".equals(type) || "feed".equals(type) && !"left".equals(Json.string(text, "change"))
                && !"deleted".equals(Json.string(text, "change"))) {
            int slot = sock.slot(videoIndex.getOrDefault(Json.string(text, "videoId"), -1));
            long version = Json.number(text, "version");
            synchronized (lock) {
                if (slot < 0 || sock.baseline[slot] < 0) {
                    errors++;
                    sample("status for a video the socket did not ask for, or before its snapshot: " + text);
                    return;
                }
                long bit = version - sock.baseline[slot] - 1;
                if (bit < 0 || sock.got[slot].get((int) bit)) {
                    duplicates++;
                    sample("duplicate on socket " + sock.index + ": " + text);
                    return;
                }
                if (version < sock.max[slot]) {
                    outOfOrder++;
                    sample("out of order on socket " + sock.index + ": " + text + " after version " + sock.max[slot]);
                }
                sock.got[slot].set((int) bit);
                sock.max[slot] = Math.max(sock.max[slot], version);
                append(sock.videos[slot], version, now);
            }
        } else if ("snapshot".equals(type)) {
            int slot = sock.slot(videoIndex.getOrDefault(Json.string(text, "videoId"), -1));
            boolean nowReady;
            synchronized (lock) {
                if (slot < 0 || sock.baseline[slot] >= 0) {
                    errors++;
                    sample("unexpected snapshot on socket " + sock.index + ": " + text);
                    return;
                }
                sock.baseline[slot] = Json.number(text, "version");
                sock.max[slot] = sock.baseline[slot];
                nowReady = --sock.pendingSnapshots == 0;
                if (nowReady) {
                    sock.ready = true;
                    ready++;
                }
            }
            if (nowReady) {
                connectedOne();
            }
        } else if ("error".equals(type)) {
            synchronized (lock) {
                errors++;
                sample("error on socket " + sock.index + ": " + text);
            }
        }
    }

    /** A page of a feed's snapshot: where each of the benchmark's videos starts; the last page makes the socket ready. */
    private void feedSnapshot(Sock sock, String text) {
        com.fasterxml.jackson.databind.JsonNode page;
        try {
            page = JSON.readTree(text);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        boolean nowReady = false;
        synchronized (lock) {
            for (com.fasterxml.jackson.databind.JsonNode video : page.get("videos")) {
                int slot = sock.slot(videoIndex.getOrDefault(video.get("videoId").asText(), -1));
                if (slot >= 0) {
                    sock.baseline[slot] = video.get("version").asLong();
                    sock.max[slot] = sock.baseline[slot];
                }
            }
            if (page.get("complete").asBoolean()) {
                sock.ready = true;
                ready++;
                nowReady = true;
            }
        }
        if (nowReady) {
            connectedOne();
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private void append(int video, long version, long at) {
        if (size == videos.length) {
            videos = Arrays.copyOf(videos, size * 2);
            versions = Arrays.copyOf(versions, size * 2);
            receivedAt = Arrays.copyOf(receivedAt, size * 2);
        }
        videos[size] = video;
        versions[size] = version;
        receivedAt[size] = at;
        size++;
    }

    private void sample(String text) {
        if (samples.size() < 10) {
            samples.add(text);
        }
    }

    private long expected(CommitLog commits) {
        long expected = 0;
        for (Sock sock : socks) {
            for (int slot = 0; slot < sock.videos.length; slot++) {
                if (sock.baseline[slot] >= 0) {
                    expected += Math.max(0, commits.lastVersion(sock.videos[slot]) - sock.baseline[slot]);
                }
            }
        }
        return expected;
    }

    @Override
    public ReceiveResult finish(CommitLog commits, int steps, int drainSeconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(drainSeconds);
        ReceiveResult result = new ReceiveResult(steps);
        synchronized (lock) {
            result.expected = expected(commits);
            while (size < result.expected && System.nanoTime() < deadline) {
                try {
                    lock.wait(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            for (int i = 0; i < size; i++) {
                long committedAt = commits.commitNanos(videos[i], versions[i]);
                if (committedAt < 0) {
                    result.unmatched++;
                    continue;
                }
                int step = commits.step(videos[i], versions[i]);
                if (step < 0) {
                    continue; // warm-up
                }
                result.fromSend[step].recordValue(Math.min((receivedAt[i] - commits.sentNanos(videos[i], versions[i])) / 1_000, 60_000_000L));
                long latency = receivedAt[i] - committedAt;
                if (latency < 0) {
                    result.beforeAck++;
                    latency = 0;
                }
                result.latency[step].recordValue(Math.min(latency / 1_000, 60_000_000L));
            }
            result.received = size - result.unmatched;
            result.lost = Math.max(0, result.expected - result.received);
            result.duplicates = duplicates;
            result.outOfOrder = outOfOrder;
            result.errors = errors;
            result.unexpectedCloses = unexpectedCloses;
            result.samples.addAll(samples);
        }
        return result;
    }

    @Override
    public void close() {
        closing = true;
        for (Sock sock : socks) {
            if (sock.ws != null && !sock.ws.isClosed()) {
                sock.ws.close();
            }
        }
        Driver.await(vertx.close());
    }

    /** One socket and, per video it watches, the snapshot's version and the versions received since. */
    private static final class Sock {
        final int index;
        final boolean multiplexed;
        /** Follows the feed: watches every video, in order of index. */
        final boolean feed;
        final int[] videos;
        final long[] baseline;
        final long[] max;
        final BitSet[] got;
        int pendingSnapshots;
        boolean ready;
        volatile WebSocket ws;

        Sock(int index, boolean multiplexed, boolean feed, int[] videos) {
            this.index = index;
            this.multiplexed = multiplexed;
            this.feed = feed;
            this.videos = videos;
            this.baseline = new long[videos.length];
            Arrays.fill(baseline, -1);
            this.max = new long[videos.length];
            this.got = new BitSet[videos.length];
            for (int i = 0; i < videos.length; i++) {
                got[i] = new BitSet();
            }
            this.pendingSnapshots = videos.length;
        }

        int slot(int video) {
            if (feed) {
                return video >= 0 && video < videos.length ? video : -1;
            }
            for (int i = 0; i < videos.length; i++) {
                if (videos[i] == video) {
                    return i;
                }
            }
            return -1;
        }
    }
}

package io.videoevents.bench;

import java.io.*;
import java.net.URI;
import java.util.*;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import com.fasterxml.jackson.databind.*;
import io.vertx.core.*;
import io.vertx.core.http.*;
import io.vertx.core.impl.VertxInternal;

/** The tool's WebSocket client (Vert.x), for every scenario that checks deliveries. */
final class Fleet implements AutoCloseable {

    /** How the sockets came up: how many were asked for, how many got their snapshots, how many failed, and how long it took. */
    record Connected(int sockets, int ready, int failed, double seconds) {
        double perSecond() {
            return seconds == 0 ? 0 : ready / seconds;
        }
    }


    private static final ObjectMapper JSON = new ObjectMapper();
    /** Seconds without a socket of a wave getting its snapshot (or failing) after which the wave ends. */
    static final int STALL_SECONDS = 30;
    private final URI service;
    private final String[] ids;
    private final Map<String, Integer> videoIndex = new HashMap<>();
    private final Sock[] socks;
    private final int concurrency;
    private final Vertx vertx;
    private final List<WebSocketClient> clients = new ArrayList<>();
    private final List<Context> contexts = new ArrayList<>();
    private final Object lock = new Object();

    // arrivals of new versions not yet judged: video, version, receive time (guarded by lock)
    private int size;
    private int[] videos = new int[1 << 16];
    private long[] versions = new long[1 << 16];
    private long[] receivedAt = new long[1 << 16];
    private long duplicates;
    private long outOfOrder;
    private long errors;
    private long unexpectedCloses;
    private long unmatched;
    private long beforeAck;
    private final List<String> samples = new ArrayList<>();
    private final TreeMap<Integer, Histogram[]> byStep = new TreeMap<>();

    // the wave being connected (guarded by lock)
    private Deque<Sock> waiting = new ArrayDeque<>();
    private int waveReady;
    private int waveFailed;
    private volatile boolean closing;

    /** {@code load} and {@code idle}: the sockets of the options. */
    Fleet(Options o) {
        this(o.service(), ids(o, o.videos()), o.sockets(), o.sourceAddresses(), o.eventLoops(), o.connectConcurrency());
        int oneVideo = (int) Math.round(o.sockets() * (1 - o.multiplexedShare()));
        int k = o.videosPerSocket();
        for (int i = 0; i < o.sockets(); i++) {
            boolean multiplexed = i >= oneVideo;
            boolean feed = multiplexed && k == 0;
            int[] watched = new int[feed ? o.videos() : multiplexed ? k : 1];
            for (int j = 0; j < watched.length; j++) {
                watched[j] = feed ? j : (int) (((long) i * watched.length + j) % o.videos());
            }
            socks[i] = new Sock(i, multiplexed, feed, watched);
        }
    }

    /** One-video sockets: socket {@code i} watches video {@code i mod ids.length} (compare). */
    Fleet(URI service, String[] ids, int sockets, int sourceAddresses, int concurrency) {
        this(service, ids, sockets, sourceAddresses, 2, concurrency);
        for (int i = 0; i < sockets; i++) {
            socks[i] = new Sock(i, false, false, new int[] { i % ids.length });
        }
    }

    private Fleet(URI service, String[] ids, int sockets, int sourceAddresses, int eventLoops, int concurrency) {
        this.service = service;
        this.ids = ids;
        this.socks = new Sock[sockets];
        this.concurrency = concurrency;
        for (int v = 0; v < ids.length; v++) {
            videoIndex.put(ids[v], v);
        }
        vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(eventLoops));
        // one context per event loop, to connect from: the socket's handlers are then in place before its loop can
        // see the handshake complete (from another thread a snapshot could arrive first and be dropped)
        for (int loop = 0; loop < eventLoops; loop++) {
            contexts.add(((VertxInternal) vertx).createEventLoopContext());
        }
        for (int a = 1; a <= sourceAddresses; a++) {
            clients.add(vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(Integer.MAX_VALUE)
                    .setLocalAddress(LoadTool.sourceAddress(a, sourceAddresses)).setConnectTimeout(30_000)));
        }
    }

    static String[] ids(Options options, int count) {
        String[] ids = new String[count];
        for (int v = 0; v < count; v++) {
            ids[v] = options.videoId(v);
        }
        return ids;
    }

    Connected connect() {
        return connect(0, socks.length, concurrency, 600);
    }

    /** Opens sockets [from, to), at most {@code inFlight} at a time until each has its snapshots or has failed. */
    Connected connect(int from, int to, int inFlight, int timeoutSeconds) {
        return connect(Arrays.asList(socks).subList(from, to), inFlight, timeoutSeconds);
    }

    /** Opens again, as one wave, every socket without its snapshot (refused, closed or failed earlier). */
    Connected reopenNotReady(int inFlight, int timeoutSeconds) {
        List<Sock> again = new ArrayList<>();
        synchronized (lock) {
            for (Sock sock : socks) {
                if (!sock.ready || sock.ws == null) {
                    again.add(sock);
                }
            }
        }
        return connect(again, inFlight, timeoutSeconds);
    }

    private Connected connect(List<Sock> wave, int inFlight, int timeoutSeconds) {
        long started = System.nanoTime();
        int start;
        synchronized (lock) {
            closing = false;
            waiting = new ArrayDeque<>();
            for (Sock sock : wave) {
                sock.reset();
                waiting.add(sock);
            }
            waveReady = 0;
            waveFailed = 0;
            start = Math.min(inFlight, waiting.size());
        }
        for (int i = 0; i < start; i++) {
            openNext();
        }
        long deadline = started + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        synchronized (lock) {
            // a wave also ends when nothing has moved for STALL_SECONDS; its time is until the last socket settled
            long lastProgress = started;
            int settled = 0;
            while (waveReady + waveFailed < wave.size() && System.nanoTime() < deadline
                    && System.nanoTime() - lastProgress < TimeUnit.SECONDS.toNanos(STALL_SECONDS)) {
                if (waveReady + waveFailed != settled) {
                    settled = waveReady + waveFailed;
                    lastProgress = System.nanoTime();
                }
                waitOnLock(20);
            }
            int missing = wave.size() - waveReady - waveFailed;
            long end = missing > 0 ? lastProgress : System.nanoTime();
            if (missing > 0) {
                sample(String.format(Locale.ROOT, "%d sockets without a snapshot %.0f s after the last one that got its snapshot",
                        missing, (System.nanoTime() - lastProgress) / 1e9));
            }
            return new Connected(wave.size(), waveReady, wave.size() - waveReady, (end - started) / 1e9);
        }
    }

    private void openNext() {
        Sock next;
        synchronized (lock) {
            next = waiting.poll();
        }
        if (next != null) {
            next.attempts++;
            open(next);
        }
    }

    private void open(Sock sock) {
        WebSocketConnectOptions connect = new WebSocketConnectOptions().setHost(service.getHost()).setPort(service.getPort())
                .setURI(sock.multiplexed ? "/events" : "/videos/" + ids[sock.videos[0]] + "/events");
        contexts.get(sock.index % contexts.size()).runOnContext(v -> clients.get((sock.index + sock.attempts - 1) % clients.size())
                .connect(connect).onComplete(result -> {
                    if (result.failed()) {
                        failed(sock, result.cause());
                        return;
                    }
                    WebSocket ws = result.result();
                    sock.ws = ws;
                    ws.textMessageHandler(text -> text(sock, text, System.nanoTime()));
                    ws.closeHandler(ignored -> closed(sock, ws.closeStatusCode() == null ? -1 : ws.closeStatusCode(), ws.closeReason()));
                    if (sock.feed) {
                        ws.writeTextMessage("{\"type\":\"subscribeFeed\"}");
                    } else if (sock.multiplexed) {
                        for (int video : sock.videos) {
                            ws.writeTextMessage("{\"type\":\"subscribe\",\"videoId\":\"" + ids[video] + "\"}");
                        }
                    }
                }));
    }

    /** Connecting failed: tried again twice (100 and 200 ms later, from the next source address), then counted as failed. */
    private void failed(Sock sock, Throwable cause) {
        if (sock.attempts < 3) {
            vertx.setTimer(100L * sock.attempts, id -> {
                sock.attempts++;
                open(sock);
            });
            return;
        }
        synchronized (lock) {
            waveFailed++;
            sample("connect failed: " + cause);
            lock.notifyAll();
        }
        openNext();
    }

    private void closed(Sock sock, int code, String reason) {
        sock.ws = null;
        if (closing) {
            return;
        }
        boolean gaveUp;
        synchronized (lock) {
            unexpectedCloses++;
            sample("socket " + sock.index + " closed by the service: " + code + " " + reason);
            gaveUp = !sock.ready;
            if (gaveUp) {
                waveFailed++;
                lock.notifyAll();
            }
        }
        if (gaveUp) {
            openNext();
        }
    }

    private void text(Sock sock, String text, long now) {
        String type = Json.string(text, "type");
        boolean nowReady = false;
        if ("feedSnapshot".equals(type)) {
            JsonNode page;
            try {
                page = JSON.readTree(text);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            synchronized (lock) {
                for (JsonNode video : page.get("videos")) {
                    int slot = sock.slot(videoIndex.getOrDefault(video.get("videoId").asText(), -1));
                    if (slot >= 0) {
                        sock.baseline[slot] = video.get("version").asLong();
                        sock.max[slot] = sock.baseline[slot];
                    }
                }
                nowReady = page.get("complete").asBoolean() && ready(sock);
            }
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
                sock.received++;
                append(sock.videos[slot], version, now);
            }
        } else if ("snapshot".equals(type)) {
            int slot = sock.slot(videoIndex.getOrDefault(Json.string(text, "videoId"), -1));
            synchronized (lock) {
                if (slot < 0 || sock.baseline[slot] >= 0) {
                    errors++;
                    sample("unexpected snapshot on socket " + sock.index + ": " + text);
                    return;
                }
                sock.baseline[slot] = Json.number(text, "version");
                sock.max[slot] = sock.baseline[slot];
                nowReady = --sock.pendingSnapshots == 0 && ready(sock);
            }
        } else if ("error".equals(type) || !sock.multiplexed) {
            synchronized (lock) {
                errors++;
                sample("unexpected frame on socket " + sock.index + ": " + text);
            }
        }
        if (nowReady) {
            openNext();
        }
    }

    private boolean ready(Sock sock) {
        if (sock.ready) {
            return false;
        }
        sock.ready = true;
        waveReady++;
        lock.notifyAll();
        return true;
    }

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

    /** What went wrong so far, then counting afresh: the connect waves' troubles stay out of the load's check. */
    List<String> takeProblems() {
        synchronized (lock) {
            List<String> problems = new ArrayList<>();
            problems.add(String.format(Locale.ROOT, "errors %d, closed by the service %d, duplicates %d, out of order %d", errors,
                    unexpectedCloses, duplicates, outOfOrder));
            problems.addAll(samples);
            errors = unexpectedCloses = duplicates = outOfOrder = 0;
            samples.clear();
            return problems;
        }
    }

    int readyCount() {
        int ready = 0;
        synchronized (lock) {
            for (Sock sock : socks) {
                ready += sock.ready && sock.ws != null ? 1 : 0;
            }
        }
        return ready;
    }

    private long expected(CommitLog commits) {
        long expected = 0;
        for (Sock sock : socks) {
            for (int slot = 0; sock.ready && slot < sock.videos.length; slot++) {
                if (sock.baseline[slot] >= 0) {
                    expected += Math.max(0, commits.lastVersion(sock.videos[slot]) - sock.baseline[slot]);
                }
            }
        }
        return expected;
    }

    private long received() {
        long received = 0;
        for (Sock sock : socks) {
            received += sock.ready ? sock.received : 0;
        }
        return received;
    }

    /**
     * Waits at most {@code drainSeconds} until every committed change has reached every ready socket, files the
     * arrivals since the last call into per-step histograms (ack → received, sent → received) and returns the counts so
     * far.
     */
    ReceiveResult collect(CommitLog commits, int drainSeconds, int steps) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(drainSeconds);
        synchronized (lock) {
            long expected = expected(commits);
            while (received() < expected && System.nanoTime() < deadline) {
                waitOnLock(20);
            }
            long received = received();
            for (int i = 0; i < size; i++) {
                long committedAt = commits.commitNanos(videos[i], versions[i]);
                if (committedAt < 0) {
                    unmatched++;
                    continue;
                }
                int step = commits.step(videos[i], versions[i]);
                if (step < 0) {
                    continue; // warm-up
                }
                Histogram[] h = byStep.computeIfAbsent(step, s -> new Histogram[] { ReceiveResult.newHistogram(),
                        ReceiveResult.newHistogram() });
                long latency = receivedAt[i] - committedAt;
                if (latency < 0) {
                    beforeAck++;
                    latency = 0;
                }
                h[0].recordValue(Math.min(latency / 1_000, 60_000_000L));
                h[1].recordValue(Math.min((receivedAt[i] - commits.sentNanos(videos[i], versions[i])) / 1_000, 60_000_000L));
            }
            size = 0;
            ReceiveResult result = new ReceiveResult(Math.max(steps, byStep.isEmpty() ? 0 : byStep.lastKey() + 1));
            byStep.forEach((step, h) -> {
                result.latency[step] = h[0].copy();
                result.fromSend[step] = h[1].copy();
            });
            result.expected = expected;
            result.received = received - unmatched;
            result.lost = Math.max(0, expected - result.received);
            result.duplicates = duplicates;
            result.outOfOrder = outOfOrder;
            result.unmatched = unmatched;
            result.beforeAck = beforeAck;
            result.errors = errors;
            result.unexpectedCloses = unexpectedCloses;
            result.samples.addAll(samples);
            return result;
        }
    }

    /** Closes every open socket normally and waits at most {@code seconds} until they are gone on the client's side. */
    void closeAll(int seconds) {
        closing = true;
        for (Sock sock : socks) {
            WebSocket ws = sock.ws;
            if (ws != null && !ws.isClosed()) {
                ws.close();
            }
        }
        LoadTool.await(() -> Arrays.stream(socks).allMatch(s -> s.ws == null), seconds);
    }

    @Override
    public void close() {
        closeAll(10);
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void waitOnLock(long millis) {
        try {
            lock.wait(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** One socket and, per video it watches, the snapshot's version and the versions received since. */
    private static final class Sock {
        final int index;
        final boolean multiplexed;
        final boolean feed;
        final int[] videos;
        final long[] baseline;
        final long[] max;
        final BitSet[] got;
        int pendingSnapshots;
        long received;
        boolean ready;
        int attempts;
        volatile WebSocket ws;

        Sock(int index, boolean multiplexed, boolean feed, int[] videos) {
            this.index = index;
            this.multiplexed = multiplexed;
            this.feed = feed;
            this.videos = videos;
            this.baseline = new long[videos.length];
            this.max = new long[videos.length];
            this.got = new BitSet[videos.length];
            for (int i = 0; i < videos.length; i++) {
                got[i] = new BitSet();
            }
            reset();
        }

        void reset() {
            Arrays.fill(baseline, -1);
            Arrays.fill(max, 0);
            for (BitSet g : got) {
                g.clear();
            }
            pendingSnapshots = videos.length;
            received = 0;
            ready = false;
            attempts = 0;
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

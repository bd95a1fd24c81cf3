package io.videoevents.bench;

import java.net.URI;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Deque;
import java.util.List;
import java.util.ArrayList;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;

/**
 * One-video sockets ({@code /videos/{id}/events}) of one client library, held by this process and
 * opened in waves: socket {@code i} always watches video {@code i mod videos}. What is common to the
 * client libraries lives here: how many are in flight while a wave connects, the wait for every
 * snapshot, and the check of every status frame (duplicate, out of order, or the next one) with its
 * arrival time. A subclass only opens and closes sockets and hands over each whole text frame.
 */
abstract class Fleet implements AutoCloseable {

    /**
     * The clients: {@code jdk} (java.net.http) and {@code vertx} (Vert.x's WebSocket client), as applications
     * use them, and {@code raw}, the handshake and framing written out over TCP, cheap enough per connect
     * that the service, not the client, limits how fast sockets come back.
     */
    static Fleet create(String client, URI service, String[] videoIds, int sockets, int sourceAddresses) {
        return switch (client) {
            case "jdk" -> new JdkFleet(service, videoIds, sockets);
            case "vertx" -> new VertxFleet(service, videoIds, sockets, sourceAddresses);
            case "raw" -> new RawFleet(service, videoIds, sockets, sourceAddresses);
            default -> throw new IllegalArgumentException("unknown client " + client + " (jdk, vertx or raw)");
        };
    }

    protected final URI service;
    protected final String[] videoIds;
    protected final Sock[] socks;
    private final Object lock = new Object();

    // arrivals of new versions not yet judged: video, version, receive time (guarded by lock)
    private int size;
    private int[] videos = new int[1 << 16];
    private long[] versions = new long[1 << 16];
    private long[] receivedAt = new long[1 << 16];
    // counts since the fleet was made (guarded by lock)
    private long duplicates;
    private long outOfOrder;
    private long errors;
    private long unexpectedCloses;
    private long unmatched;
    private long beforeAck;
    private final List<String> samples = new ArrayList<>();
    private final TreeMap<Integer, Histogram[]> byStep = new TreeMap<>();
    private static final ScheduledExecutorService RETRIES = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "bench-reconnect");
        thread.setDaemon(true);
        return thread;
    });

    // the wave being connected (guarded by lock)
    private Deque<Sock> waiting = new ArrayDeque<>();
    private int waveSize;
    private int waveReady;
    private int waveFailed;
    private volatile boolean closing;
    /** Seconds without a socket of a wave getting its snapshot (or failing) after which the wave ends. */
    static final int STALL_SECONDS = 30;
    private long lastProgress;

    protected Fleet(URI service, String[] videoIds, int sockets) {
        this.service = service;
        this.videoIds = videoIds;
        this.socks = new Sock[sockets];
        for (int i = 0; i < sockets; i++) {
            socks[i] = new Sock(i, i % videoIds.length);
        }
    }

    /**
     * One context per event loop of {@code vertx}, to connect from: a socket then lives on that loop, and its
     * handlers are in place before the loop can see its handshake complete ({@code getOrCreateContext} would
     * give the calling thread the same context every time).
     */
    static List<io.vertx.core.Context> eventLoopContexts(io.vertx.core.Vertx vertx, int loops) {
        List<io.vertx.core.Context> contexts = new ArrayList<>(loops);
        for (int loop = 0; loop < loops; loop++) {
            contexts.add(((io.vertx.core.impl.VertxInternal) vertx).createEventLoopContext());
        }
        return contexts;
    }

    /** The path socket {@code sock} opens. */
    protected String path(Sock sock) {
        return "/videos/" + videoIds[sock.video] + "/events";
    }

    /** Opens the socket; calls {@link #opened}, {@link #text}, {@link #closed} or {@link #failed} as things happen. */
    protected abstract void open(Sock sock);

    /** Starts a normal close of an open socket. */
    protected abstract void close(Sock sock);

    /**
     * Opens sockets {@code [from, to)}, at most {@code concurrency} connecting at a time (a socket counts
     * until its snapshot has arrived), and returns once each has its snapshot or has failed.
     */
    ReceiverGroup.Connected connect(int from, int to, int concurrency, int timeoutSeconds) {
        return connect(Arrays.asList(socks).subList(from, to), concurrency, timeoutSeconds);
    }

    private ReceiverGroup.Connected connect(List<Sock> wave, int concurrency, int timeoutSeconds) {
        long started = System.nanoTime();
        int start;
        synchronized (lock) {
            closing = false;
            waiting = new ArrayDeque<>();
            for (Sock sock : wave) {
                sock.reset();
                waiting.add(sock);
            }
            waveSize = wave.size();
            waveReady = 0;
            waveFailed = 0;
            start = Math.min(concurrency, waiting.size());
        }
        for (int i = 0; i < start; i++) {
            openNext();
        }
        long deadline = started + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        synchronized (lock) {
            // a wave also ends when nothing has moved for STALL_SECONDS: a socket left without its snapshot
            // is reported as such instead of stretching the wave's time (and the CPU counted for it) to the
            // timeout; the wave's time is until the last socket that got its snapshot or failed
            lastProgress = started;
            int settled = -1;
            while (waveReady + waveFailed < waveSize && System.nanoTime() < deadline
                    && System.nanoTime() - lastProgress < TimeUnit.SECONDS.toNanos(STALL_SECONDS)) {
                if (waveReady + waveFailed != settled) {
                    settled = waveReady + waveFailed;
                    lastProgress = System.nanoTime();
                }
                waitOnLock(20);
            }
            long end = waveReady + waveFailed < waveSize ? lastProgress : System.nanoTime();
            int missing = waveSize - waveReady - waveFailed;
            if (missing > 0) {
                StringBuilder upgraded = new StringBuilder();
                int count = 0;
                for (Sock sock : wave) {
                    if (!sock.ready && sock.handle != null) {
                        if (count++ < 10) {
                            upgraded.append(upgraded.length() == 0 ? "" : ", ").append("socket ").append(sock.index).append(" (")
                                    .append(videoIds[sock.video]).append(", ").append(describe(sock)).append(')');
                        }
                    }
                }
                sample(String.format(java.util.Locale.ROOT, "%d sockets without a snapshot %.0f s after the last one that got its"
                        + " snapshot; %d of them upgraded (the service accepted the socket, the client saw no snapshot): %s", missing,
                        (System.nanoTime() - lastProgress) / 1e9, count, upgraded));
            }
            return new ReceiverGroup.Connected(waveSize, waveReady, waveSize - waveReady, (end - started) / 1e9);
        }
    }

    /** Transport details of a socket for a report (its local address and port, where the client tells). */
    protected String describe(Sock sock) {
        return String.valueOf(sock.handle);
    }

    /** Opens again, as one wave, every socket that has no snapshot (refused, closed or failed earlier). */
    ReceiverGroup.Connected reopenNotReady(int concurrency, int timeoutSeconds) {
        List<Sock> again = new ArrayList<>();
        synchronized (lock) {
            for (Sock sock : socks) {
                if (!sock.ready || sock.handle == null) {
                    again.add(sock);
                }
            }
        }
        return connect(again, concurrency, timeoutSeconds);
    }

    /**
     * What went wrong so far (errors, closes by the service, duplicates, reordering, with up to ten
     * samples), then starts counting afresh: the connect waves' troubles stay out of the load's check.
     */
    List<String> takeProblems() {
        synchronized (lock) {
            List<String> problems = new ArrayList<>();
            problems.add(String.format(java.util.Locale.ROOT, "errors %d, closed by the service %d, duplicates %d, out of order %d",
                    errors, unexpectedCloses, duplicates, outOfOrder));
            problems.addAll(samples);
            errors = 0;
            unexpectedCloses = 0;
            duplicates = 0;
            outOfOrder = 0;
            samples.clear();
            return problems;
        }
    }

    int readyCount() {
        int ready = 0;
        synchronized (lock) {
            for (Sock sock : socks) {
                if (sock.ready && sock.handle != null) {
                    ready++;
                }
            }
        }
        return ready;
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

    /** The transport connected; the socket now waits for its snapshot. */
    protected void opened(Sock sock, Object handle) {
        sock.handle = handle;
    }

    /** Connecting failed: tried again twice (100 and 200 ms later), then the socket counts as failed. */
    protected void failed(Sock sock, Throwable cause) {
        if (sock.attempts < 3) {
            sleepThenRetry(sock);
            return;
        }
        synchronized (lock) {
            waveFailed++;
            sample("connect failed: " + cause);
            lock.notifyAll();
        }
        openNext();
    }

    private void sleepThenRetry(Sock sock) {
        RETRIES.schedule(() -> {
            sock.attempts++;
            open(sock);
        }, 100L * sock.attempts, TimeUnit.MILLISECONDS);
    }

    /** The socket closed; unless the tool closed it, that is counted against the service. */
    protected void closed(Sock sock, int code, String reason) {
        sock.handle = null;
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

    /** One whole text frame, stamped by the caller the moment the client library handed it over. */
    protected void text(Sock sock, String text, long now) {
        String type = Json.string(text, "type");
        if ("status".equals(type)) {
            long version = Json.number(text, "version");
            synchronized (lock) {
                if (sock.baseline < 0 || !videoIds[sock.video].equals(Json.string(text, "videoId"))) {
                    errors++;
                    sample("status for another video, or before the snapshot: " + text);
                    return;
                }
                long bit = version - sock.baseline - 1;
                if (bit < 0 || sock.got.get((int) bit)) {
                    duplicates++;
                    sample("duplicate on socket " + sock.index + ": " + text);
                    return;
                }
                if (version < sock.max) {
                    outOfOrder++;
                    sample("out of order on socket " + sock.index + ": " + text + " after version " + sock.max);
                }
                sock.got.set((int) bit);
                sock.max = Math.max(sock.max, version);
                sock.received++;
                append(sock.video, version, now);
            }
        } else if ("snapshot".equals(type)) {
            boolean nowReady = false;
            synchronized (lock) {
                if (sock.baseline >= 0) {
                    errors++;
                    sample("second snapshot on socket " + sock.index + ": " + text);
                    return;
                }
                sock.baseline = Json.number(text, "version");
                sock.max = sock.baseline;
                if (!sock.ready) {
                    sock.ready = true;
                    waveReady++;
                    nowReady = true;
                    lock.notifyAll();
                }
            }
            if (nowReady) {
                openNext();
            }
        } else {
            synchronized (lock) {
                errors++;
                sample("unexpected frame on socket " + sock.index + ": " + text);
            }
        }
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

    /** What every ready socket should have received so far: each commit after its snapshot. */
    private long expected(CommitLog commits) {
        long expected = 0;
        for (Sock sock : socks) {
            if (sock.ready && sock.baseline >= 0) {
                expected += Math.max(0, commits.lastVersion(sock.video) - sock.baseline);
            }
        }
        return expected;
    }

    /** Distinct versions the ready sockets received since their snapshots. */
    private long received() {
        long received = 0;
        for (Sock sock : socks) {
            if (sock.ready) {
                received += sock.received;
            }
        }
        return received;
    }

    /**
     * Waits at most {@code drainSeconds} until every committed change has reached every socket, then
     * files the arrivals since the last call into per-step histograms (commit acknowledged → received,
     * and UPDATE sent → received) and returns the counts so far.
     */
    ReceiveResult collect(CommitLog commits, int drainSeconds) {
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
            int steps = byStep.isEmpty() ? 0 : byStep.lastKey() + 1;
            ReceiveResult result = new ReceiveResult(steps);
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

    /** Closes every open socket (a normal close) and waits at most {@code seconds} for them to be gone on the client's side. */
    void closeAll(int seconds) {
        closing = true;
        for (Sock sock : socks) {
            if (sock.handle != null) {
                close(sock);
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (openCount() > 0 && System.nanoTime() < deadline) {
            LoadTool.sleepMillis(50);
        }
    }

    int openCount() {
        int open = 0;
        for (Sock sock : socks) {
            if (sock.handle != null) {
                open++;
            }
        }
        return open;
    }

    /** Closes the sockets that are still open and releases the client. */
    @Override
    public abstract void close();

    private void waitOnLock(long millis) {
        try {
            lock.wait(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** One socket: the video it watches, its snapshot's version and the versions received since. */
    static final class Sock {
        final int index;
        final int video;
        final BitSet got = new BitSet();
        long baseline = -1;
        long max;
        long received;
        boolean ready;
        int attempts;
        volatile Object handle;
        // the text of a frame that arrives in parts (java.net.http may hand one over in pieces)
        StringBuilder partial;

        Sock(int index, int video) {
            this.index = index;
            this.video = video;
        }

        void reset() {
            got.clear();
            baseline = -1;
            max = 0;
            received = 0;
            ready = false;
            attempts = 0;
            partial = null;
        }
    }
}

package io.videoevents.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

/**
 * A real WebSocket client for tests: every text frame lands in a queue as JSON, the close code is
 * kept. Waiting is bounded; nothing here sleeps.
 */
public final class TestSocket implements AutoCloseable {

    public static final Duration WAIT = Duration.ofSeconds(15);

    private static final Vertx VERTX = Vertx.vertx();

    private final WebSocket socket;
    private final BlockingQueue<JsonObject> messages = new LinkedBlockingQueue<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final CompletableFuture<Void> ended = new CompletableFuture<>();
    private volatile boolean everPaused;
    private final java.util.concurrent.atomic.AtomicLong textBytes = new java.util.concurrent.atomic.AtomicLong();
    /** For the message of a wait that ran out: how many text messages came, and the last one (cut short). */
    private final java.util.concurrent.atomic.AtomicInteger received = new java.util.concurrent.atomic.AtomicInteger();
    private volatile String last = "none";
    private final java.util.Queue<Long> pingsAt = new java.util.concurrent.ConcurrentLinkedQueue<>();

    private final URI uri;
    private volatile long closedAt;
    private JsonObject snapshot;

    private TestSocket(WebSocket socket, URI uri) {
        this.socket = socket;
        this.uri = uri;
        socket.textMessageHandler(text -> {
            textBytes.addAndGet(text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
            received.incrementAndGet();
            last = text.length() > 200 ? text.substring(0, 200) + "…" : text;
            messages.add(new JsonObject(text));
        });
        // the end comes with the close frame, after every frame before it has been handed over, also to a
        // client that was paused while they arrived (the close handler itself may run before them)
        socket.endHandler(v -> ended.complete(null));
        // the client answers pings by itself; this only notes when they came
        socket.frameHandler(frame -> {
            if (frame.isPing()) {
                pingsAt.add(System.nanoTime());
            }
        });
        socket.closeHandler(v -> {
            closedAt = System.nanoTime();
            closed.complete(socket.closeStatusCode() == null ? -1 : (int) socket.closeStatusCode());
        });
    }

    /** Opens a socket; {@code base} is the service's http URI, {@code path} may carry a query. */
    public static TestSocket open(URI base, String path) {
        return open(base, path, new WebSocketClientOptions());
    }

    /** A client with a tiny TCP receive buffer: once {@link #pause()}d, the server's writes back up quickly. */
    public static TestSocket openWithSmallReceiveBuffer(URI base, String path) {
        return open(base, path, new WebSocketClientOptions().setReceiveBufferSize(4096));
    }

    public static TestSocket open(URI base, String path, WebSocketClientOptions options) {
        return open(base, path, options, java.util.Map.of());
    }

    /** Opens a socket sending these headers with the upgrade (Authorization, Origin …). */
    public static TestSocket open(URI base, String path, java.util.Map<String, String> headers) {
        return open(base, path, new WebSocketClientOptions(), headers);
    }

    /** The HTTP status the upgrade gets: 101 when the socket opens, else the refusal's status. */
    public static int upgradeStatus(URI base, String path, java.util.Map<String, String> headers) {
        URI uri = wsUri(base, path);
        WebSocketConnectOptions connect = new WebSocketConnectOptions().setAbsoluteURI(uri.toString());
        headers.forEach(connect::addHeader);
        try {
            WebSocket ws = VERTX.createWebSocketClient().connect(connect).toCompletionStage().toCompletableFuture()
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS);
            ws.close();
            return 101;
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof io.vertx.core.http.UpgradeRejectedException rejected) {
                return rejected.getStatus();
            }
            throw new AssertionError("upgrade of " + uri + " failed", e);
        } catch (Exception e) {
            throw new AssertionError("upgrade of " + uri + " failed", e);
        }
    }

    private static URI wsUri(URI base, String path) {
        return URI.create(base.toString().replaceFirst("^http", "ws").replaceAll("/$", "") + path);
    }

    public static TestSocket open(URI base, String path, WebSocketClientOptions options, java.util.Map<String, String> headers) {
        URI uri = wsUri(base, path);
        WebSocketClient client = VERTX.createWebSocketClient(options.setMaxFrameSize(1 << 20).setMaxMessageSize(1 << 20));
        WebSocketConnectOptions connect = new WebSocketConnectOptions().setAbsoluteURI(uri.toString());
        headers.forEach(connect::addHeader);
        // connect from inside an event-loop context: the completion handler is then registered before the
        // handshake can finish and runs on that loop as it does, so handlers are in place before any frame
        CompletableFuture<TestSocket> opened = new CompletableFuture<>();
        VERTX.getOrCreateContext().runOnContext(v -> client.connect(connect).onComplete(result -> {
            if (result.succeeded()) {
                opened.complete(new TestSocket(result.result(), uri));
            } else {
                opened.completeExceptionally(result.cause());
            }
        }));
        try {
            return opened.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("could not open " + uri, e);
        }
    }

    /**
     * Opens {@code /events}, subscribes to each video in turn and waits for its {@code subscribed} and
     * {@code snapshot}: a socket that is watching all of them live.
     */
    public static TestSocket subscribed(URI base, String... videoIds) {
        return subscribed(base, java.util.Map.of(), videoIds);
    }

    /** The same with these upgrade headers (an Authorization, say). */
    public static TestSocket subscribed(URI base, java.util.Map<String, String> headers, String... videoIds) {
        TestSocket socket = open(base, "/events", headers);
        try {
            for (String videoId : videoIds) {
                socket.subscribe(videoId);
            }
            return socket;
        } catch (AssertionError | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /**
     * Opens the one-video socket {@code /videos/{id}/events} and waits for its first message, the
     * {@code snapshot}: a socket that is watching the video live.
     */
    public static TestSocket watching(URI base, String videoId) {
        return watching(base, videoId, java.util.Map.of());
    }

    /** The same with these upgrade headers (an Authorization, say). */
    public static TestSocket watching(URI base, String videoId, java.util.Map<String, String> headers) {
        TestSocket socket = open(base, "/videos/" + videoId + "/events", headers);
        try {
            socket.snapshot = socket.next("snapshot");
            assertThat(socket.snapshot.getString("videoId")).isEqualTo(videoId);
            return socket;
        } catch (AssertionError | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /**
     * On {@code /events}: subscribes to a video (no {@code after}) and waits for its {@code subscribed} and
     * {@code snapshot}, which must name that video. Returns the snapshot.
     */
    public JsonObject subscribe(String videoId) {
        send("type", "subscribe", "videoId", videoId);
        assertThat(next("subscribed").getString("videoId")).isEqualTo(videoId);
        JsonObject snapshot = next("snapshot");
        assertThat(snapshot.getString("videoId")).isEqualTo(videoId);
        return snapshot;
    }

    /** The snapshot a socket opened with {@link #watching} started with. */
    public JsonObject snapshot() {
        if (snapshot == null) {
            throw new IllegalStateException("only a socket opened with watching(…) keeps its snapshot");
        }
        return snapshot;
    }

    /**
     * The next message, or empty once the server has closed the socket and every message sent before the
     * close has been taken. Fails if neither happens within {@link #WAIT}.
     */
    public java.util.Optional<JsonObject> nextUntilClosed() {
        long deadline = System.nanoTime() + WAIT.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                // checked before polling: once over, every frame sent before the close is in the queue
                boolean over = ended.isDone() || (closed.isDone() && !everPaused);
                JsonObject message = messages.poll(over ? 0 : 50, TimeUnit.MILLISECONDS);
                if (message != null) {
                    return java.util.Optional.of(message);
                }
                if (over) {
                    return java.util.Optional.empty();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        return fail("neither a message nor the close within " + WAIT + " on " + uri);
    }

    /** The next message, waiting up to {@link #WAIT}. */
    public JsonObject next() {
        try {
            JsonObject message = messages.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            if (message == null) {
                fail("no message within " + WAIT + " on " + uri + (closed.isDone() ? ", closed with " + closed.join() : ", open")
                        + "; " + received.get() + " received before, the last: " + last);
            }
            return message;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The next message, which must be of {@code type}. */
    public JsonObject next(String type) {
        JsonObject message = next();
        assertThat(message.getString("type")).as("message %s", message).isEqualTo(type);
        return message;
    }

    /** UTF-8 bytes of all text messages received so far, taken or not. */
    /** When the server's pings arrived ({@link System#nanoTime()}), oldest first. */
    public java.util.List<Long> pingsAt() {
        return java.util.List.copyOf(pingsAt);
    }

    public long bytesReceived() {
        return textBytes.get();
    }

    /** Messages received and not yet taken. */
    public int pending() {
        return messages.size();
    }

    public void send(String text) {
        socket.writeTextMessage(text);
    }

    /** Sends a JSON message built from alternating keys and values. */
    public void send(Object... keysAndValues) {
        JsonObject message = new JsonObject();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            message.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        send(message.encode());
    }

    public void sendBinary(byte[] data) {
        socket.writeBinaryMessage(io.vertx.core.buffer.Buffer.buffer(data));
    }

    /** Stops reading from the network (no frames, no pongs): a client that hangs. */
    public void pause() {
        everPaused = true;
        socket.pause();
    }

    public void resume() {
        socket.resume();
    }

    /** Waits for the server to close the socket and returns the close code. */
    public int awaitClose() {
        try {
            return closed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("socket not closed within " + WAIT, e);
        }
    }

    public boolean isClosed() {
        return closed.isDone();
    }

    /** {@link System#nanoTime()} when the socket closed (0 while open). */
    public long closedAt() {
        return closedAt;
    }

    @Override
    public void close() {
        if (!socket.isClosed() && !closed.isDone()) {
            socket.close().toCompletionStage().toCompletableFuture().orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
        }
    }
}

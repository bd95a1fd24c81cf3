package io.videoevents.socket;

import java.util.Collection;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.quarkus.logging.Log;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.UserData;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniSubscriber;
import io.smallrye.mutiny.subscription.UniSubscription;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * One open socket: its subscriptions and its outgoing queue. Frames are handed to Vert.x at once and
 * counted until the network has taken them; that count is the queue, and it is bounded. A client that
 * stops reading makes it grow, and past the limit the socket is closed with 4408 instead of letting
 * the server buffer without end. The client loses nothing by that: it resumes with {@code after}.
 */
final class ClientConnection {

    static final UserData.TypedKey<ClientConnection> KEY = new UserData.TypedKey<>("video-events.client");

    private final WebSocketConnection socket;
    private final int maxQueuedMessages;
    private final long maxQueuedBytes;
    private final Map<String, Subscription> subscriptions = new ConcurrentHashMap<>();
    private final AtomicInteger queuedMessages = new AtomicInteger();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicLong peakQueuedBytes = new AtomicLong();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final Runnable onSlowClose;
    private final Deliveries deliveries;

    private final int messagesPerSecond;
    private double tokens;
    private long refilledAt = System.nanoTime();
    private int refusedInARow;
    private volatile long lastHeardFrom = System.nanoTime();
    private volatile boolean awaitingAuth;
    private long expiryTimer = -1;
    private volatile OptionalLong pendingStart = OptionalLong.empty();
    // the event loop the socket lives on, when it was opened on one: the hub hands it its frames there
    private final Context context = Context.isOnEventLoopThread() ? Vertx.currentContext() : null;
    private final Thread loop = context == null ? null : Thread.currentThread();

    ClientConnection(WebSocketConnection socket, int maxQueuedMessages, long maxQueuedBytes, int messagesPerSecond,
            Runnable onSlowClose, Deliveries deliveries) {
        this.deliveries = deliveries;
        this.socket = socket;
        this.maxQueuedMessages = maxQueuedMessages;
        this.maxQueuedBytes = maxQueuedBytes;
        this.messagesPerSecond = messagesPerSecond;
        this.tokens = messagesPerSecond;
        this.onSlowClose = onSlowClose;
    }

    /** Outcome of {@link #admitMessage()}. */
    enum Admission {
        ACCEPT, REFUSE, CLOSE
    }

    /**
     * Token bucket over client messages: up to the configured rate per second, with a burst of as many.
     * Messages of one socket are handled one at a time, so no lock is needed.
     */
    Admission admitMessage() {
        heard();
        long now = System.nanoTime();
        tokens = Math.min(messagesPerSecond, tokens + (now - refilledAt) * messagesPerSecond / 1e9);
        refilledAt = now;
        if (tokens >= 1) {
            tokens -= 1;
            refusedInARow = 0;
            return Admission.ACCEPT;
        }
        return ++refusedInARow > messagesPerSecond ? Admission.CLOSE : Admission.REFUSE;
    }

    /** The peer showed it is alive (a message or a pong). */
    void heard() {
        lastHeardFrom = System.nanoTime();
    }

    long lastHeardFrom() {
        return lastHeardFrom;
    }

    /** True until the client has authenticated with an {@code auth} message (when it must). */
    boolean awaitingAuth() {
        return awaitingAuth;
    }

    void awaitingAuth(boolean awaiting) {
        this.awaitingAuth = awaiting;
    }

    /** Swaps the timer that closes the socket when its token expires; returns the previous one (or -1). */
    synchronized long replaceExpiryTimer(long timer) {
        long previous = expiryTimer;
        expiryTimer = timer;
        return previous;
    }

    /** The {@code after} of a one-video socket whose subscription waits for authentication. */
    void pendingStart(OptionalLong after) {
        this.pendingStart = after;
    }

    OptionalLong pendingStart() {
        return pendingStart;
    }

    /** The socket's event-loop context, or null when it was not opened on an event loop. */
    Context context() {
        return context;
    }

    /** The socket's event-loop thread, or null. */
    Thread loop() {
        return loop;
    }

    WebSocketConnection socket() {
        return socket;
    }

    String id() {
        return socket.id();
    }

    boolean isClosing() {
        return closing.get();
    }

    /**
     * Queues a status event; once the network has taken it, it counts as delivered and, for a live event,
     * its commit-to-written time is recorded.
     */
    void deliver(Frames.EventFrame frame, boolean live) {
        String text = frame.text();
        if (reserve(text)) {
            socket.sendText(text).subscribe().withSubscriber(new Written(text.length(), live ? frame.occurredAtMillis() : 0, null));
        }
    }

    /** A replayed status event, completing once the network has taken it (see {@link #sendAndAwait}). */
    Uni<Void> deliverAndAwait(Frames.EventFrame frame) {
        return sendAndAwait(frame.text()).invoke(() -> deliveries.delivered(0));
    }

    /** Queues a frame; never blocks. Closes the socket (4408) if the client has fallen too far behind. */
    void send(String frame) {
        if (reserve(frame)) {
            socket.sendText(frame).subscribe().withSubscriber(new Written(frame.length(), NOT_AN_EVENT, null));
        }
    }

    /**
     * Like {@link #send}; the returned Uni completes once the frame has been handed to the network
     * (or failed), which lets a replay go at the client's pace. The write starts at once either way.
     */
    Uni<Void> sendAndAwait(String frame) {
        if (!reserve(frame)) {
            return Uni.createFrom().voidItem();
        }
        CompletableFuture<Void> taken = new CompletableFuture<>();
        socket.sendText(frame).subscribe().withSubscriber(new Written(frame.length(), NOT_AN_EVENT, taken));
        return Uni.createFrom().completionStage(taken);
    }

    /** {@link Written} for a frame that is not a status event. */
    private static final long NOT_AN_EVENT = -1;

    /**
     * Settles one frame once the network has taken it or the write failed: frees its place in the queue
     * and counts the delivery. A plain subscriber rather than callbacks: one small object per frame and
     * no per-frame context capture on the fan-out path.
     */
    private final class Written implements UniSubscriber<Void> {
        private final int length;
        private final long occurredAtMillis;
        private final CompletableFuture<Void> taken;

        Written(int length, long occurredAtMillis, CompletableFuture<Void> taken) {
            this.length = length;
            this.occurredAtMillis = occurredAtMillis;
            this.taken = taken;
        }

        @Override
        public void onSubscribe(UniSubscription subscription) {
            // nothing to cancel: the write is under way
        }

        @Override
        public void onItem(Void ignored) {
            written(length);
            if (occurredAtMillis != NOT_AN_EVENT) {
                deliveries.delivered(occurredAtMillis);
            }
            settle();
        }

        @Override
        public void onFailure(Throwable failure) {
            written(length);
            settle();
        }

        private void settle() {
            if (taken != null) {
                taken.complete(null);
            }
        }
    }

    private boolean reserve(String frame) {
        if (closing.get()) {
            return false;
        }
        int messages = queuedMessages.incrementAndGet();
        long bytes = queuedBytes.addAndGet(frame.length());
        if (messages > maxQueuedMessages || bytes > maxQueuedBytes) {
            queuedMessages.decrementAndGet();
            queuedBytes.addAndGet(-frame.length());
            Log.infof("closing socket %s: %d frames / %d bytes not yet taken by the client", id(), messages, bytes);
            onSlowClose.run();
            close(ErrorCodes.CLOSE_TOO_SLOW, "client too slow; reconnect with after");
            return false;
        }
        if (bytes > peakQueuedBytes.get()) {
            peakQueuedBytes.accumulateAndGet(bytes, Math::max);
        }
        return true;
    }

    /** True when at least half of either queue limit is in use: time for a replay to wait. */
    boolean halfFull() {
        return queuedMessages.get() * 2 >= maxQueuedMessages || queuedBytes.get() * 2 >= maxQueuedBytes;
    }

    private void written(int length) {
        queuedMessages.decrementAndGet();
        queuedBytes.addAndGet(-length);
    }

    /** Sends an error and closes; later frames are dropped. */
    void fail(String errorFrame, int closeCode, String reason) {
        if (closing.get()) {
            return;
        }
        send(errorFrame);
        close(closeCode, reason);
    }

    /** Stops all sending and closes the socket with {@code code}; idempotent. */
    void close(int code, String reason) {
        if (closing.compareAndSet(false, true)) {
            subscriptions.values().forEach(Subscription::close);
            if (socket.isOpen()) {
                socket.close(new CloseReason(code, reason)).subscribe().with(ok -> {
                }, failure -> Log.debugf("closing socket %s failed: %s", id(), failure.toString()));
            }
        }
    }

    Subscription subscription(String videoId) {
        return subscriptions.get(videoId);
    }

    /** Adds the subscription unless one exists for that video; returns the one in place. */
    Subscription addIfAbsent(Subscription subscription) {
        Subscription existing = subscriptions.putIfAbsent(subscription.videoId, subscription);
        return existing == null ? subscription : existing;
    }

    void remove(Subscription subscription) {
        subscriptions.remove(subscription.videoId, subscription);
    }

    Collection<Subscription> subscriptions() {
        return subscriptions.values();
    }

    int queuedMessages() {
        return queuedMessages.get();
    }

    long queuedBytes() {
        return queuedBytes.get();
    }

    /** The most this socket ever had queued, in bytes: never above the limit. */
    long peakQueuedBytes() {
        return peakQueuedBytes.get();
    }

    int subscriptionCount() {
        return subscriptions.size();
    }
}

package io.videoevents.socket;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;

import io.quarkus.logging.Log;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.UserData;
import io.quarkus.websockets.next.WebSocketConnection;
import io.netty.buffer.ByteBuf;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.impl.ContextInternal;
import io.videoevents.feed.FeedConnection;
import io.videoevents.feed.FeedSubscription;
import io.videoevents.subscription.Deliveries;
import io.videoevents.subscription.Resume;
import io.videoevents.subscription.Subscription;
import io.videoevents.subscription.TextFrame;

/**
 * One open socket: its subscriptions, its outgoing queue and its inbound limits.
 *
 * <p>Everything of a socket happens on its event loop: messages, subscriptions, reads' answers (moved
 * there), closing. So the state here needs no lock, and the order of events on the loop is the order
 * of what the client sees: once {@link #close} has run, no subscription is left and none can be added.
 *
 * <p>Outgoing frames go straight to the socket's channel ({@link Wire}); what the network has not yet
 * taken is the socket's queue, and it is bounded. A client that stops reading makes it grow, and before
 * a frame would pass the limit the socket is closed with 4408 instead of letting the server buffer
 * without end. The client loses nothing by that: it resumes with {@code after}.
 *
 * <p>Why one class: the subscriptions, the outgoing queue and the inbound limits are the state of one socket on
 * one event loop; the queue's bound decides when every subscription ends, and closing ends all of them in one
 * step, which is what makes "no subscription after close" hold without a lock.
 */
final class ClientConnection implements FeedConnection {

    static final UserData.TypedKey<ClientConnection> KEY = new UserData.TypedKey<>("video-events.client");

    /** Messages that may wait behind an {@code auth} being verified; beyond, they are refused. */
    static final int MAX_WAITING_BEHIND_AUTH = 32;

    private final WebSocketConnection socket;
    private final int maxQueuedMessages;
    private final long maxQueuedBytes;
    private final Map<String, Subscription> subscriptions = new HashMap<>(4);
    private FeedSubscription feed;
    private final Wire wire;
    private boolean unflushed;
    private long peakQueuedBytes;
    private int pacedWaiting;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final Runnable onSlowClose;
    private final Deliveries deliveries;
    private final RateLimiter rate;

    private volatile long lastHeardFrom = System.nanoTime();
    /** Which of the heartbeat's ticks pings this socket (see {@link Clients#heartbeat()}). */
    private int heartbeatSlot;
    private volatile boolean awaitingAuth;
    private boolean authInFlight;
    private ArrayDeque<Runnable> behindAuth;
    private long expiryTimer = -1;
    private int starting;
    private volatile Resume pendingStart = Resume.SNAPSHOT;
    // the event loop the socket lives on: every change of its state happens there
    private final Context context;
    private final Thread loop;

    ClientConnection(WebSocketConnection socket, int maxQueuedMessages, long maxQueuedBytes, int messagesPerSecond,
            Runnable onSlowClose, Deliveries deliveries) {
        if (!Context.isOnEventLoopThread()) {
            throw new IllegalStateException("a socket is opened on its event loop");
        }
        // the event loop's own context, not the duplicated one of this callback: nothing per socket is kept for it
        this.context = ((ContextInternal) Vertx.currentContext()).unwrap();
        this.loop = Thread.currentThread();
        this.deliveries = deliveries;
        this.socket = socket;
        this.wire = Wire.of(socket);
        this.maxQueuedMessages = maxQueuedMessages;
        this.maxQueuedBytes = maxQueuedBytes;
        this.rate = new RateLimiter(messagesPerSecond, System.nanoTime());
        this.onSlowClose = onSlowClose;
    }

    // --- the event loop --------------------------------------------------------------------------

    /** Runs {@code task} on the socket's event loop: now if already there, else as the loop's next task. */
    @Override
    public void onLoop(Runnable task) {
        if (Thread.currentThread() == loop) {
            task.run();
        } else {
            context.runOnContext(ignored -> task.run());
        }
    }

    /** Runs {@code task} on the socket's loop after {@code millis}, unless the socket is closing by then. */
    @Override
    public void afterDelay(long millis, Runnable task) {
        context.owner().setTimer(millis, id -> onLoop(() -> {
            if (!isClosing()) {
                task.run();
            }
        }));
    }

    /** Forgets the upgrade request's headers: call once {@code @OnOpen} has read what it needs. */
    void forgetUpgradeHeaders() {
        UpgradeRequestTrim.dropHeaders(socket, wire);
    }

    /** Pings the peer (on the loop), unless the socket is closing. */
    void ping() {
        if (!isClosing() && wire.open()) {
            wire.ping();
        }
    }

    /** Runs {@code task} on the loop once the TCP connection is closed, however that happened. */
    void whenDisconnected(Runnable task) {
        wire.whenClosed(() -> onLoop(task));
    }

    /** The socket's event-loop context. */
    @Override
    public Context context() {
        return context;
    }

    /** The socket's event-loop thread. */
    @Override
    public Thread loop() {
        return loop;
    }

    // --- inbound ---------------------------------------------------------------------------------

    /** Applies the message rate; call on arrival, before anything is queued or parsed further. */
    RateLimiter.Verdict admitMessage() {
        heard();
        return rate.admit(System.nanoTime());
    }

    /**
     * Runs a client message's handling now, or, while an {@code auth} is being verified, after it (so a
     * {@code subscribe} sent right behind an {@code auth} is checked against the new token). False if it
     * could not wait: too many messages behind the auth.
     */
    boolean inOrder(Runnable handling) {
        if (!authInFlight) {
            handling.run();
            return true;
        }
        if (behindAuth == null) {
            behindAuth = new ArrayDeque<>(4);
        }
        if (behindAuth.size() >= MAX_WAITING_BEHIND_AUTH) {
            return false;
        }
        behindAuth.add(handling);
        return true;
    }

    /** An {@code auth} is being verified: later messages wait for it. */
    void authStarted() {
        authInFlight = true;
    }

    /** The {@code auth} was decided: runs what waited, unless the socket is closing by now. */
    void authDone() {
        authInFlight = false;
        ArrayDeque<Runnable> waited = behindAuth;
        behindAuth = null;
        while (waited != null && !waited.isEmpty() && !isClosing() && !authInFlight) {
            waited.poll().run();
        }
        if (waited != null && !waited.isEmpty() && authInFlight) {
            // another auth came in the queue: what is left keeps waiting behind it
            behindAuth = waited;
        }
    }

    /** The peer showed it is alive (a message or a pong). */
    void heard() {
        lastHeardFrom = System.nanoTime();
    }

    long lastHeardFrom() {
        return lastHeardFrom;
    }

    int heartbeatSlot() {
        return heartbeatSlot;
    }

    void heartbeatSlot(int slot) {
        this.heartbeatSlot = slot;
    }

    /** True until the client has authenticated with an {@code auth} message (when it must). */
    boolean awaitingAuth() {
        return awaitingAuth;
    }

    void awaitingAuth(boolean awaiting) {
        this.awaitingAuth = awaiting;
    }

    /** Swaps the timer that closes the socket when its token expires; returns the previous one (or -1). */
    long replaceExpiryTimer(long timer) {
        long previous = expiryTimer;
        expiryTimer = timer;
        return previous;
    }

    /** Where a one-video socket whose subscription waits for authentication resumes. */
    void pendingStart(Resume resume) {
        this.pendingStart = resume;
    }

    Resume pendingStart() {
        return pendingStart;
    }

    @Override
    public WebSocketConnection socket() {
        return socket;
    }

    @Override
    public String id() {
        return socket.id();
    }

    boolean isClosing() {
        return closing.get();
    }

    // --- outbound --------------------------------------------------------------------------------

    /**
     * Writes a live event's frame, shared by all its subscribers (a duplicate of it; the caller keeps its
     * own reference), and flushes. False if nothing was written: the socket is closing, or its queue is
     * full (then it is closed with 4408).
     */
    @Override
    public boolean deliverShared(ByteBuf frame) {
        if (!reserve(frame.readableBytes())) {
            return false;
        }
        wire.writeAndFlush(frame.retainedDuplicate());
        return true;
    }

    /**
     * Writes a frame shared by several sockets (a duplicate of it; the caller keeps its own reference) without
     * flushing. False if nothing was written: the socket is closing, or its queue is full (then closed with 4408).
     */
    @Override
    public boolean writeShared(ByteBuf frame) {
        if (!reserve(frame.readableBytes())) {
            return false;
        }
        wire.write(frame.retainedDuplicate());
        unflushed = true;
        return true;
    }

    /** Writes a frame of {@code text}, encoded for this socket, without flushing (see {@link #flush()}). */
    @Override
    public boolean write(String text) {
        ByteBuf frame = TextFrame.encode(wire.allocator(), text);
        if (!reserve(frame.readableBytes())) {
            frame.release();
            return false;
        }
        wire.write(frame);
        unflushed = true;
        return true;
    }

    /** Writes and flushes a frame of {@code text}; never blocks. Closes the socket (4408) if the client has fallen too far behind. */
    void send(String text) {
        if (write(text)) {
            flush();
        }
    }

    /** Flushes what {@link #write} queued, if anything. */
    @Override
    public void flush() {
        if (unflushed) {
            unflushed = false;
            wire.flush();
        }
    }

    /** Counts a delivered status event; {@code occurredAtMillis} > 0 records its commit-to-written time. */
    @Override
    public void delivered(int count, long occurredAtMillis) {
        deliveries.delivered(count, occurredAtMillis);
    }

    /**
     * Whether a frame of {@code bytes} may be queued. A client that has not taken what was queued before,
     * beyond either limit, is closed with 4408 instead: the server never holds more for it.
     */
    private boolean reserve(int bytes) {
        if (closing.get() || !wire.open()) {
            return false;
        }
        long pendingBytes = wire.pendingBytes() + bytes;
        int pendingFrames = wire.pendingFrames() + 1;
        if (pendingFrames > maxQueuedMessages || pendingBytes > maxQueuedBytes) {
            Log.debugf("closing socket %s: %d frames / %d bytes not yet taken by the client", id(), pendingFrames, pendingBytes);
            onSlowClose.run();
            close(ErrorCodes.CLOSE_TOO_SLOW, "client too slow; reconnect with after");
            return false;
        }
        if (pendingBytes > peakQueuedBytes) {
            peakQueuedBytes = pendingBytes;
        }
        return true;
    }

    /** How many of {@code wanted} replayed frames may be sent now: half the queue's frame limit, less what waits (at least 1). */
    @Override
    public int room(int wanted) {
        return Math.max(1, Math.min(wanted, maxQueuedMessages / 2 - wire.pendingFrames()));
    }

    /** Runs {@code task} on the loop once everything written so far has been taken by the network. */
    @Override
    public void whenTaken(Runnable task) {
        flush();
        pacedWaiting++;
        wire.afterPending(() -> onLoop(() -> {
            pacedWaiting--;
            if (!isClosing()) {
                task.run();
            }
        }));
    }

    /** True while a replay waits for the client to take what was sent. */
    boolean replayWaiting() {
        return pacedWaiting > 0;
    }

    // --- closing ---------------------------------------------------------------------------------

    /** Sends an error and closes; later frames are dropped. */
    void fail(String errorFrame, int closeCode, String reason) {
        if (closing.get()) {
            return;
        }
        send(errorFrame);
        close(closeCode, reason);
    }

    /**
     * Stops all sending, ends every subscription and closes the socket with {@code code}; idempotent, from
     * any thread. Once it has run on the loop, no subscription is left and none can be added.
     */
    void close(int code, String reason) {
        if (closing.compareAndSet(false, true)) {
            onLoop(() -> {
                for (Subscription subscription : new ArrayList<>(subscriptions.values())) {
                    subscription.close();
                }
                if (feed != null) {
                    feed.close();
                }
                behindAuth = null;
                if (socket.isOpen()) {
                    socket.close(new CloseReason(code, reason)).subscribe().with(ok -> {
                    }, failure -> Log.debugf("closing socket %s failed: %s", id(), failure.toString()));
                }
            });
        }
    }

    // --- subscriptions (on the loop) -------------------------------------------------------------

    Subscription subscription(String videoId) {
        return subscriptions.get(videoId);
    }

    /** Adds the subscription unless one exists for that video or the socket is closing; returns false then. */
    boolean add(Subscription subscription) {
        if (isClosing()) {
            return false;
        }
        return subscriptions.putIfAbsent(subscription.videoId, subscription) == null;
    }

    @Override
    public void remove(Subscription subscription) {
        subscriptions.remove(subscription.videoId, subscription);
    }

    /** The socket's feed, or null. */
    FeedSubscription feed() {
        return feed;
    }

    /** Sets the socket's feed unless it has one or is closing; returns false then. */
    @Override
    public boolean addFeed(FeedSubscription subscription) {
        if (isClosing() || feed != null) {
            return false;
        }
        feed = subscription;
        return true;
    }

    @Override
    public void removeFeed(FeedSubscription subscription) {
        if (feed == subscription) {
            feed = null;
        }
    }

    Collection<Subscription> subscriptions() {
        return subscriptions.values();
    }

    int subscriptionCount() {
        return subscriptions.size();
    }

    /** Subscriptions that have not yet sent their first frame (their read is under way). */
    int startingCount() {
        return starting;
    }

    @Override
    public void startingChanged(int delta) {
        starting += delta;
    }

    /** The most this socket ever had queued, in bytes: never above the limit. */
    long peakQueuedBytes() {
        return peakQueuedBytes;
    }
}

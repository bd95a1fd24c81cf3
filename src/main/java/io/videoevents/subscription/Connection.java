package io.videoevents.subscription;

import io.netty.buffer.ByteBuf;
import io.quarkus.websockets.next.WebSocketConnection;
import io.vertx.core.Context;

/**
 * What a subscription (and a feed) needs of the socket it writes to: its event loop, its outgoing queue and its
 * bookkeeping. Implemented by the socket transport, which owns the queue's limits and the close codes; everything
 * here is called on the socket's event loop unless it says otherwise.
 */
public interface Connection {

    /** The socket under this connection, for the access rules. */
    WebSocketConnection socket();

    /** The socket's id, for log lines. */
    String id();

    /** The socket's event-loop context. */
    Context context();

    /** The socket's event-loop thread. */
    Thread loop();

    /** Runs {@code task} on the socket's event loop: now if already there, else as the loop's next task. From any thread. */
    void onLoop(Runnable task);

    /** Runs {@code task} on the socket's loop after {@code millis}, unless the socket is closing by then. */
    void afterDelay(long millis, Runnable task);

    /** Runs {@code task} on the loop once everything written so far has been taken by the network. */
    void whenTaken(Runnable task);

    /**
     * Writes a live event's frame, shared by all its subscribers (a duplicate of it; the caller keeps its own
     * reference), and flushes. False if nothing was written: the socket is closing, or its queue is full.
     */
    boolean deliverShared(ByteBuf frame);

    /** Writes a frame shared by several sockets (a duplicate of it) without flushing; false if nothing was written. */
    boolean writeShared(ByteBuf frame);

    /** Writes a frame of {@code text} without flushing; false if nothing was written. */
    boolean write(String text);

    /** Flushes what was written, if anything. */
    void flush();

    /** How many of {@code wanted} replayed frames may be sent now (at least 1). */
    int room(int wanted);

    /** Counts a delivered status event; {@code occurredAtMillis} > 0 records its commit-to-written time. */
    void delivered(int count, long occurredAtMillis);

    /** A subscription of this socket started ({@code +1}) or stopped ({@code -1}) waiting for its first read. */
    void startingChanged(int delta);

    /** The subscription leaves the socket. */
    void remove(Subscription subscription);
}

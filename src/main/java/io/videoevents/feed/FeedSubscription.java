package io.videoevents.feed;

import io.netty.buffer.ByteBuf;
import io.quarkus.logging.Log;
import io.videoevents.video.FeedChange;
import io.videoevents.video.FeedCursor;
import io.videoevents.video.FeedRepository.SnapshotRead;
import io.videoevents.video.FeedScope;

/**
 * The feed of one socket: the I/O shell around {@link FeedState}, which holds every rule. It registers with
 * the instance's {@link FeedTail} before its first read, carries frames to the socket and runs its reads
 * through {@link Feeds}. Everything runs on the socket's event loop; read results are moved there first.
 */
public final class FeedSubscription implements FeedState.Sink {

    final FeedConnection client;
    private final FeedScope scope;
    private final Feeds feeds;
    private final FeedState state;
    private final Runnable ended;
    /** The instance's row being offered, and its frame shared by the feeds of the same view; set only in {@link #offer}. */
    private FeedChange offered;
    private ByteBuf offeredWire;
    private int liveWritten;
    private long liveOccurredAtMillis;

    FeedSubscription(FeedConnection client, FeedScope scope, Feeds feeds, Runnable ended) {
        this.client = client;
        this.scope = scope;
        this.feeds = feeds;
        this.ended = ended;
        this.state = new FeedState(this);
    }

    public FeedScope scope() {
        return scope;
    }

    /** Registers with the instance's reader of the log, then reads from {@code cursor}. On the socket's loop. */
    void start(FeedCursor cursor, boolean resync) {
        feeds.tail().register(this);
        state.start(cursor, resync);
        client.flush();
    }

    /** The instance's rows for this feed begin after {@code from}; on the socket's loop. */
    void tailFrom(FeedCursor.Log from) {
        state.onTailFrom(from);
        client.flush();
    }

    /** The instance's reader found the database may have failed over: the feed checks its cursor again. On the socket's loop. */
    void rewind() {
        state.rewind();
        client.flush();
    }

    /** One of the instance's rows, with its frame (a reference the caller keeps); on the socket's loop. Not flushed. */
    void offer(FeedChange change, ByteBuf wire) {
        offered = change;
        offeredWire = wire;
        try {
            state.onTail(change);
        } finally {
            offered = null;
            offeredWire = null;
        }
    }

    /** After a batch of {@link #offer}s: flushes and counts what went out live. */
    void delivered() {
        client.flush();
        if (liveWritten > 0) {
            feeds.deliveries().delivered(liveWritten, liveOccurredAtMillis);
            liveWritten = 0;
        }
    }

    /** Stops the feed and leaves the instance's reader and the socket; idempotent. On the socket's loop. */
    public void close() {
        state.close();
        feeds.tail().unregister(this);
        client.removeFeed(this);
    }

    boolean isLive() {
        return state.isLive();
    }

    // --- the state's decisions ----------------------------------------------------------------------

    @Override
    public void sendSnapshot(SnapshotRead page, FeedCursor next, boolean resync) {
        client.write(feeds.frames().feedSnapshot(page.videos(), page.complete(), resync, next));
    }

    @Override
    public void sendChange(FeedChange change, boolean live) {
        if (live && change == offered) {
            if (client.writeShared(offeredWire)) {
                liveWritten++;
                liveOccurredAtMillis = change.occurredAt() == null ? 0 : change.occurredAt().toEpochMilli();
            }
        } else if (client.write(feeds.frames().feedChange(change, scope.all()))) {
            feeds.deliveries().delivered(1, 0);
        }
    }

    @Override
    public void readSnapshot(long ticket, FeedCursor.Snapshot from, boolean paced, long delayMillis) {
        schedule(() -> feeds.read(() -> feeds.repository().snapshot(scope, from, feeds.pageSize()),
                (page, failure) -> client.onLoop(() -> {
                    if (failure == null) {
                        state.onSnapshot(ticket, page);
                    } else {
                        Log.debugf(failure, "the feed of socket %s: a snapshot read failed", client.id());
                        state.onReadFailed(ticket);
                    }
                    client.flush();
                })), paced, delayMillis);
    }

    @Override
    public void readChanges(long ticket, FeedCursor.Log after, boolean paced, long delayMillis) {
        schedule(() -> feeds.read(() -> feeds.repository().changes(scope, after, client.room(feeds.pageSize())),
                (read, failure) -> client.onLoop(() -> {
                    if (failure == null) {
                        state.onChanges(ticket, after, read);
                    } else {
                        Log.debugf(failure, "the feed of socket %s: a read of the log failed", client.id());
                        state.onReadFailed(ticket);
                    }
                    client.flush();
                })), paced, delayMillis);
    }

    private void schedule(Runnable read, boolean paced, long delayMillis) {
        if (delayMillis > 0) {
            client.afterDelay(delayMillis, read);
        } else if (paced) {
            client.whenTaken(read);
        } else {
            read.run();
        }
    }

    @Override
    public void diverged() {
        feeds.divergences().feed();
    }

    @Override
    public void end() {
        feeds.tail().unregister(this);
        client.removeFeed(this);
        ended.run();
    }
}

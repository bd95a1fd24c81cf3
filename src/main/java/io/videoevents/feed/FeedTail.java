package io.videoevents.feed;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.quarkus.logging.Log;
import io.videoevents.VideoEventsConfig;
import io.videoevents.subscription.Frames;
import io.videoevents.subscription.SubscriptionHub;
import io.videoevents.subscription.SubscriptionState;
import io.videoevents.subscription.TextFrame;
import io.videoevents.video.FeedChange;
import io.videoevents.video.FeedCursor;
import io.videoevents.video.FeedRepository;
import io.videoevents.video.FeedRepository.ChangesRead;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.impl.VertxInternal;

/**
 * The instance's one reader of the feed log's new rows, for all the feeds open on it: notifications (any
 * creation, status change, owner change or deletion, and the listener LISTENing again) ring it, it reads the
 * rows after the last it read (one query, whatever the number of feeds) and hands each feed the rows it holds,
 * in order. It reads only while a feed is open here; no feed, no query.
 *
 * <p>The log is the truth and a notification only says "read": a forged one costs one read, and reads never
 * overlap (a ring during a read makes one more read after it). Rows committed but not yet below the horizon
 * (an older transaction is still running) are read again after a short wait, doubling up to a second, until
 * they are. Reads start at most once per {@code video-events.feed.tail-interval}, so a steady stream of
 * notifications costs the database a bounded number of queries per instance, each taking what came meanwhile.
 *
 * <p>Every read also checks that the rows it passed are still the database's and notes the server's timeline (see
 * {@link FeedRepository}). When they are not, or the timeline went up (a standby was promoted), the rows read then
 * are not handed out: every feed here checks its own cursor again with a read of its own ({@link
 * FeedSubscription#rewind()}), only those whose history is gone start over from a snapshot, and the reader starts
 * again at the current horizon.
 *
 * <p>Everything here runs on one event-loop context of its own; feeds are handed their rows on their
 * socket's loop, one task per loop per read, in order.
 *
 * <p>Why one class: the read loop, the wait for the horizon, the check that the rows are still the database's and
 * the hand-out share one cursor and one context, and what a read may hand out depends on the check of that same
 * read; apart they would pass that cursor back and forth between threads.
 */
@ApplicationScoped
public class FeedTail implements SubscriptionHub.Listener {

    /** Rows read per query; a full page is followed by the next at once. */
    static final int PAGE = 1000;
    static final long FIRST_POLL_MILLIS = 5;
    static final long MAX_POLL_MILLIS = 1000;

    private final FeedRepository feed;
    private final Frames frames;
    private final Vertx vertx;
    private final Counter reads;
    private final long intervalNanos;
    /** Where the tail runs; created on first use, off every socket's loop. */
    private volatile Context context;
    /** Feeds open here; written on the tail's context, read anywhere (a ring with no feed does nothing). */
    private volatile int feedCount;
    private final AtomicBoolean ringQueued = new AtomicBoolean();

    // --- on the tail's context --------------------------------------------------------------------
    private final Set<FeedSubscription> allFeeds = new HashSet<>();
    private final Map<String, Set<FeedSubscription>> byOwner = new HashMap<>();
    /** Every row up to here was read and handed out; null while not established. */
    private FeedCursor.Log covered;
    /** The server's timeline at the last read; 0 until the first. */
    private int timeline;
    /** Bumped when the tail stops, so answers to an earlier run's queries are ignored. */
    private long generation;
    private boolean reading;
    private boolean rung;
    /** When the last read was issued (System.nanoTime), for the minimum interval between reads. */
    private long lastReadAt;
    private boolean waitingForInterval;
    private long pollDelay;
    private int failures;
    private long timer = -1;

    FeedTail(FeedRepository feed, Frames frames, Vertx vertx, MeterRegistry registry, VideoEventsConfig config) {
        this.feed = feed;
        this.frames = frames;
        this.vertx = vertx;
        this.intervalNanos = config.feed().tailInterval().toNanos();
        this.reads = Counter.builder("video.events.feed.tail.reads")
                .description("queries the instance ran for the new rows of the feed log (one per read, for all its feeds)")
                .register(registry);
        registry.gauge("video.events.feeds", this, FeedTail::feedCount);
    }

    /** Feeds open on this instance. */
    public int feedCount() {
        return feedCount;
    }

    /** Something may have been added to the feed log; cheap and does nothing while no feed is open. From any thread. */
    @Override
    public void ring() {
        if (feedCount > 0 && ringQueued.compareAndSet(false, true)) {
            context().runOnContext(ignored -> {
                ringQueued.set(false);
                if (covered != null) {
                    read();
                }
            });
        }
    }

    /** A feed opens: it is told where its rows begin, then given every row it holds from there. */
    void register(FeedSubscription subscription) {
        context().runOnContext(ignored -> {
            boolean first = allFeeds.isEmpty() && byOwner.isEmpty();
            if (subscription.scope().all()) {
                allFeeds.add(subscription);
            } else {
                byOwner.computeIfAbsent(subscription.scope().ownerId(), owner -> new HashSet<>()).add(subscription);
            }
            feedCount++;
            if (covered != null) {
                FeedCursor.Log from = covered;
                subscription.client.onLoop(() -> subscription.tailFrom(from));
            } else if (first) {
                establish(generation);
            }
        });
    }

    void unregister(FeedSubscription subscription) {
        context().runOnContext(ignored -> {
            boolean removed;
            if (subscription.scope().all()) {
                removed = allFeeds.remove(subscription);
            } else {
                Set<FeedSubscription> owned = byOwner.get(subscription.scope().ownerId());
                removed = owned != null && owned.remove(subscription);
                if (owned != null && owned.isEmpty()) {
                    byOwner.remove(subscription.scope().ownerId());
                }
            }
            if (removed && --feedCount == 0) {
                stop();
            }
        });
    }

    /** Finds the current horizon: the feeds' rows begin there. */
    private void establish(long run) {
        feed.horizon().subscribe().with(
                horizon -> context.runOnContext(ignored -> {
                    if (run != generation || feedCount == 0) {
                        return;
                    }
                    failures = 0;
                    covered = horizon;
                    timeline = horizon.anchor().epoch();
                    FeedCursor.Log from = covered;
                    forEachFeed(subscription -> subscription.client.onLoop(() -> subscription.tailFrom(from)));
                    read();
                }),
                failure -> context.runOnContext(ignored -> {
                    if (run == generation && feedCount > 0) {
                        Log.warnf("the feed log's horizon could not be read (%s); retrying", failure.getMessage());
                        later(SubscriptionState.backoff(++failures), () -> establish(run));
                    }
                }));
    }

    private void read() {
        if (reading || waitingForInterval) {
            rung = true;
            return;
        }
        long wait = lastReadAt + intervalNanos - System.nanoTime();
        if (wait > 0) {
            // under a steady stream of notifications, reads go at most once per interval and take what came meanwhile
            waitingForInterval = true;
            later(Math.max(1, wait / 1_000_000), () -> {
                waitingForInterval = false;
                read();
            });
            return;
        }
        cancelTimer();
        lastReadAt = System.nanoTime();
        reading = true;
        rung = false;
        long run = generation;
        FeedCursor.Log after = covered;
        reads.increment();
        feed.tail(after, PAGE).subscribe().with(
                read -> context.runOnContext(ignored -> {
                    if (run == generation) {
                        reading = false;
                        failures = 0;
                        done(after, read);
                    }
                }),
                failure -> context.runOnContext(ignored -> {
                    if (run == generation) {
                        reading = false;
                        Log.warnf("the feed log could not be read (%s); retrying", failure.getMessage());
                        later(SubscriptionState.backoff(++failures), this::read);
                    }
                }));
    }

    private void done(FeedCursor.Log after, ChangesRead read) {
        if (read.diverged() || read.timeline() != timeline) {
            rewindAll(read);
            return;
        }
        if (!read.changes().isEmpty()) {
            dispatch(read.changes());
            pollDelay = 0;
        }
        covered = covered.max(read.reached());
        if (!read.complete() || rung) {
            read();
        } else if (read.pending()) {
            // committed rows wait above the horizon for an older transaction to end; no notification will say when
            pollDelay = pollDelay == 0 ? FIRST_POLL_MILLIS : Math.min(MAX_POLL_MILLIS, pollDelay * 2);
            later(pollDelay, this::read);
        } else {
            pollDelay = 0;
        }
    }

    /**
     * The rows this reader handed out may be gone, or the database failed over: nothing of this read is handed out;
     * every feed checks its own cursor again, and the reader starts over at the current horizon.
     */
    private void rewindAll(ChangesRead read) {
        Log.warnf("the feed log %s (timeline %d, was %d): every feed here (%d) checks its cursor again", read.diverged()
                ? "no longer holds what this instance read from it" : "is on a promoted server", read.timeline(), timeline,
                feedCount);
        generation++;
        covered = null;
        rung = false;
        forEachFeed(subscription -> subscription.client.onLoop(subscription::rewind));
        establish(generation);
    }

    /**
     * Hands the rows to the feeds that hold them, one task per event loop with every row for the feeds on that
     * loop, in order. Each row is encoded once per view (a feed of all videos, an owner's feed) and the feeds
     * get duplicates of the same bytes.
     */
    private void dispatch(List<FeedChange> changes) {
        Map<Thread, LoopBatch> byLoop = new HashMap<>(4);
        List<ByteBuf> encoded = new ArrayList<>();
        for (FeedChange change : changes) {
            ByteBuf allView = null;
            if (change.kind() != FeedChange.Kind.LEFT && !allFeeds.isEmpty()) {
                allView = encode(change, true, encoded);
                for (FeedSubscription subscription : allFeeds) {
                    batchOf(byLoop, subscription).add(subscription, change, allView);
                }
            }
            Set<FeedSubscription> owners = change.audience() == null ? null : byOwner.get(change.audience());
            if (owners != null) {
                ByteBuf ownerView = encode(change, false, encoded);
                for (FeedSubscription subscription : owners) {
                    batchOf(byLoop, subscription).add(subscription, change, ownerView);
                }
            }
        }
        for (LoopBatch batch : byLoop.values()) {
            encoded.forEach(ByteBuf::retain);
            batch.context.runOnContext(ignored -> {
                try {
                    batch.run();
                } finally {
                    encoded.forEach(ByteBuf::release);
                }
            });
        }
        encoded.forEach(ByteBuf::release);
    }

    private ByteBuf encode(FeedChange change, boolean all, List<ByteBuf> encoded) {
        ByteBuf wire = TextFrame.encode(PooledByteBufAllocator.DEFAULT, frames.feedChange(change, all));
        encoded.add(wire);
        return wire;
    }

    private static LoopBatch batchOf(Map<Thread, LoopBatch> byLoop, FeedSubscription subscription) {
        return byLoop.computeIfAbsent(subscription.client.loop(), loop -> new LoopBatch(subscription.client.context()));
    }

    /** The rows for the feeds of one event loop, in order, run there. */
    private static final class LoopBatch {
        final Context context;
        final List<FeedSubscription> subscriptions = new ArrayList<>();
        final List<FeedChange> changes = new ArrayList<>();
        final List<ByteBuf> wires = new ArrayList<>();

        LoopBatch(Context context) {
            this.context = context;
        }

        void add(FeedSubscription subscription, FeedChange change, ByteBuf wire) {
            subscriptions.add(subscription);
            changes.add(change);
            wires.add(wire);
        }

        void run() {
            Set<FeedSubscription> touched = new HashSet<>();
            for (int i = 0; i < subscriptions.size(); i++) {
                FeedSubscription subscription = subscriptions.get(i);
                subscription.offer(changes.get(i), wires.get(i));
                touched.add(subscription);
            }
            touched.forEach(FeedSubscription::delivered);
        }
    }

    private void forEachFeed(java.util.function.Consumer<FeedSubscription> action) {
        allFeeds.forEach(action);
        byOwner.values().forEach(owned -> owned.forEach(action));
    }

    private void stop() {
        generation++;
        covered = null;
        reading = false;
        rung = false;
        waitingForInterval = false;
        pollDelay = 0;
        failures = 0;
        cancelTimer();
    }

    private void later(long millis, Runnable task) {
        cancelTimer();
        long run = generation;
        timer = vertx.setTimer(Math.max(1, millis), id -> context.runOnContext(ignored -> {
            timer = -1;
            if (run == generation) {
                task.run();
            }
        }));
    }

    private void cancelTimer() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
    }

    private Context context() {
        Context current = context;
        if (current == null) {
            synchronized (this) {
                if (context == null) {
                    context = ((VertxInternal) vertx).createEventLoopContext();
                }
                current = context;
            }
        }
        return current;
    }
}

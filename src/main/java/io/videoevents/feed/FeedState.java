package io.videoevents.feed;

import java.util.ArrayList;
import java.util.List;

import io.videoevents.subscription.SubscriptionState;
import io.videoevents.video.FeedChange;
import io.videoevents.video.FeedCursor;
import io.videoevents.video.FeedRepository.ChangesRead;
import io.videoevents.video.FeedRepository.SnapshotRead;

/**
 * The rules of one feed on one socket, with no I/O: what to send, what to read, when to go live. Its
 * decisions come out through a {@link Sink}; {@link FeedSubscription} carries them. Not thread-safe: its
 * owner calls it on the socket's event loop.
 *
 * <p>The feed log has one order for every row, and a read of it covers everything below its snapshot's
 * horizon (see {@code V6__feed_log.sql}). The instance reads the log's new rows once for all its feeds
 * ({@link FeedTail}) and hands each feed the rows it holds, in order, from a position it names
 * ({@code tailFrom}). The rules, each a sentence of the protocol:
 * <ul>
 * <li>Without a cursor: the snapshot, page by page, then every change after the snapshot's position. With a
 * cursor: what follows it (the rest of a snapshot, or the changes), exactly once and in order.</li>
 * <li>A cursor the log can no longer serve (retention, another database) gets a new snapshot marked
 * {@code resync}; so does one whose history is not the database's (its last row is not there, or not alone there:
 * a failover that lost commits), and the feed says so ({@link Sink#diverged()}).</li>
 * <li>When the instance's reader finds that the database may have failed over, a live feed is rewound: it checks its
 * own last cursor with a read of its own, as a resuming client would, and goes live again after it.</li>
 * <li>The instance's rows that arrive before this feed is live are held; it goes live once a read of its own
 * has covered the log up to where those rows begin, and a read issued after the latest time it had to drop
 * held rows (there are too many) has completed. Then the held rows after the last one sent go out.</li>
 * <li>Live, a row goes out when it is after the last one sent; the instance's rows are contiguous, so that is
 * every row, once.</li>
 * <li>Pages are read at the client's pace: the next once the client took the last one.</li>
 * <li>A failed read is retried with backoff, a bounded number of times; then the feed ends.</li>
 * </ul>
 */
final class FeedState {

    /** The instance's rows kept aside while catching up; past it they are dropped and read from the log instead. */
    static final int MAX_HELD = 5000;

    /** Where the decisions go: the I/O shell, or a recorder in tests. */
    interface Sink {

        /** A snapshot page; {@code next} is the cursor that follows it; {@code resync} on the first page of a replacement. */
        void sendSnapshot(SnapshotRead page, FeedCursor next, boolean resync);

        /** A change, in order; {@code live} when it is the instance's row being offered now. */
        void sendChange(FeedChange change, boolean live);

        /** Read a snapshot page ({@code from} null: a new snapshot), then answer {@link #onSnapshot} / {@link #onReadFailed}. */
        void readSnapshot(long ticket, FeedCursor.Snapshot from, boolean paced, long delayMillis);

        /** Read the changes after {@code after}, then answer {@link #onChanges} / {@link #onReadFailed}. */
        void readChanges(long ticket, FeedCursor.Log after, boolean paced, long delayMillis);

        /** The feed could not be read even after retries: it is over. */
        void end();

        /** The history the feed stood on is not the database's; a resync snapshot follows. */
        void diverged();
    }

    private enum Phase {
        NEW, SNAPSHOT, CATCHING_UP, LIVE, ENDED
    }

    private final Sink sink;
    private Phase phase = Phase.NEW;
    /** The cursor of the last thing sent: a snapshot's end, or a change. */
    private FeedCursor.Log lastSent;
    /** How far this feed's own reads have covered the log. */
    private FeedCursor.Log covered;
    /** Where the instance's rows for this feed begin; null until the instance says. */
    private FeedCursor.Log tailFrom;
    private final List<FeedChange> held = new ArrayList<>(0);
    private boolean awaitingTail;
    private boolean resyncNext;
    private long clock;
    private long readTicket;
    /** Logical time held rows were last dropped; a read issued after it must complete before going live. */
    private long droppedAt = -1;
    private int failures;
    private Runnable retry;

    FeedState(Sink sink) {
        this.sink = sink;
    }

    /** Begins at {@code cursor} (null: a new snapshot; {@code resync}: marked as replacing what the client had). */
    void start(FeedCursor cursor, boolean resync) {
        if (phase != Phase.NEW) {
            throw new IllegalStateException("already started");
        }
        resyncNext = resync;
        if (cursor instanceof FeedCursor.Log log) {
            catchUpFrom(log, false);
        } else {
            phase = Phase.SNAPSHOT;
            readSnapshot((FeedCursor.Snapshot) cursor, false);
        }
    }

    /** The instance's rows for this feed begin after {@code from}. */
    void onTailFrom(FeedCursor.Log from) {
        if (phase == Phase.ENDED) {
            return;
        }
        tailFrom = from;
        if (awaitingTail) {
            awaitingTail = false;
            readChanges(lastSent, false, 0);
        }
    }

    /** One of the instance's rows that this feed holds, in log order. */
    void onTail(FeedChange change) {
        if (phase == Phase.LIVE) {
            if (change.cursor().isAfter(lastSent)) {
                sink.sendChange(change, true);
                lastSent = change.cursor();
            }
        } else if (phase != Phase.ENDED) {
            if (held.size() >= MAX_HELD) {
                // the log has them all: drop the pile and make sure a later read covers it
                held.clear();
                droppedAt = ++clock;
            }
            held.add(change);
        }
    }

    void onSnapshot(long ticket, SnapshotRead page) {
        if (phase != Phase.SNAPSHOT || ticket != readTicket) {
            return;
        }
        readTicket = 0;
        failures = 0;
        if (!page.servable()) {
            if (page.diverged()) {
                sink.diverged();
            }
            resyncNext = true;
            readSnapshot(null, false);
            return;
        }
        FeedCursor next = page.next();
        sink.sendSnapshot(page, next, resyncNext);
        resyncNext = false;
        if (page.complete()) {
            catchUpFrom(page.at().end(), true);
            return;
        }
        readSnapshot((FeedCursor.Snapshot) next, true);
    }

    void onChanges(long ticket, FeedCursor.Log after, ChangesRead read) {
        if (phase != Phase.CATCHING_UP || ticket != readTicket) {
            return;
        }
        readTicket = 0;
        failures = 0;
        if (!read.servable()) {
            if (read.diverged()) {
                sink.diverged();
            }
            phase = Phase.SNAPSHOT;
            resyncNext = true;
            readSnapshot(null, false);
            return;
        }
        if (!read.start().isAfter(lastSent) && !lastSent.isAfter(read.start())) {
            // the same place, now anchored and stamped with the timeline it was checked on
            lastSent = read.start();
        }
        for (FeedChange change : read.changes()) {
            if (change.cursor().isAfter(lastSent)) {
                sink.sendChange(change, false);
                lastSent = change.cursor();
            }
        }
        covered = covered.max(read.reached());
        if (!read.complete()) {
            readChanges(lastSent, true, 0);
        } else if (tailFrom == null) {
            awaitingTail = true;
        } else if (tailFrom.isAfter(covered) || droppedAt > ticket) {
            readChanges(lastSent, false, 0);
        } else {
            goLive();
        }
    }

    /**
     * The instance's reader found that the database may have failed over: what the feed was handed may be gone. A feed
     * that is live or catching up checks its last cursor again with a read of its own (a snapshot being read checks its
     * next page's cursor anyway), and waits to be told where the instance's rows begin anew.
     */
    void rewind() {
        if (phase == Phase.ENDED || phase == Phase.NEW) {
            return;
        }
        tailFrom = null;
        awaitingTail = false;
        held.clear();
        if (phase == Phase.LIVE || phase == Phase.CATCHING_UP) {
            phase = Phase.CATCHING_UP;
            covered = lastSent;
            readChanges(lastSent, false, 0);
        }
    }

    /** The read issued with {@code ticket} failed or timed out. */
    void onReadFailed(long ticket) {
        if ((phase != Phase.SNAPSHOT && phase != Phase.CATCHING_UP) || ticket != readTicket) {
            return;
        }
        readTicket = 0;
        failures++;
        if (failures > SubscriptionState.MAX_READ_FAILURES) {
            end();
            return;
        }
        Runnable again = retry;
        again.run();
    }

    /** Stops for good: nothing pending is sent, later input is ignored. */
    void close() {
        phase = Phase.ENDED;
        held.clear();
    }

    boolean isLive() {
        return phase == Phase.LIVE;
    }

    boolean isEnded() {
        return phase == Phase.ENDED;
    }

    int heldCount() {
        return held.size();
    }

    FeedCursor.Log lastSent() {
        return lastSent;
    }

    private void catchUpFrom(FeedCursor.Log from, boolean paced) {
        phase = Phase.CATCHING_UP;
        lastSent = from;
        covered = from;
        readChanges(from, paced, 0);
    }

    private void goLive() {
        phase = Phase.LIVE;
        for (FeedChange change : held) {
            if (change.cursor().isAfter(lastSent)) {
                sink.sendChange(change, false);
                lastSent = change.cursor();
            }
        }
        held.clear();
    }

    private void readSnapshot(FeedCursor.Snapshot from, boolean paced) {
        long ticket = readTicket = ++clock;
        retry = () -> sinkReadSnapshot(ticket, from, false, SubscriptionState.backoff(failures));
        sinkReadSnapshot(ticket, from, paced, 0);
    }

    private void sinkReadSnapshot(long ticket, FeedCursor.Snapshot from, boolean paced, long delay) {
        readTicket = ticket;
        sink.readSnapshot(ticket, from, paced, delay);
    }

    private void readChanges(FeedCursor.Log after, boolean paced, long delay) {
        long ticket = readTicket = ++clock;
        retry = () -> sinkReadChanges(ticket, after, false, SubscriptionState.backoff(failures));
        sinkReadChanges(ticket, after, paced, delay);
    }

    private void sinkReadChanges(long ticket, FeedCursor.Log after, boolean paced, long delay) {
        readTicket = ticket;
        sink.readChanges(ticket, after, paced, delay);
    }

    private void end() {
        phase = Phase.ENDED;
        held.clear();
        sink.end();
    }
}

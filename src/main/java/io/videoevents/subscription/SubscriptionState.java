package io.videoevents.subscription;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import io.videoevents.subscription.Frames.EventFrame;
import io.videoevents.video.ChangeTag;
import io.videoevents.video.StatusEvent;
import io.videoevents.video.VideoRead;
import io.videoevents.video.VideoState;

/**
 * The rules of one subscription (one video on one socket), with no I/O: live events, doorbells and read
 * results go in; frames, read requests and an ending come out through a {@link Sink}. The socket and
 * database code around it ({@link Subscription}) only carries them. Not thread-safe: its owner calls it
 * from one thread (the socket's event loop).
 *
 * <p>The rules, each a sentence of the contract:
 * <ul>
 * <li>Nothing is sent before a read of the database has shown the video exists and the caller may watch it.</li>
 * <li>Without {@code after}: a snapshot, then every later version once, in order. With {@code after}: every
 * logged version above it, in order, then live; a snapshot with {@code resync} when the log cannot serve it
 * (retention, a version ahead of the row, or an {@code after} from a stream that was deleted).</li>
 * <li>A live event is sent only as the version right after the last one sent; older ones are dropped; a
 * newer one makes the log be read for the versions in between first (a gap).</li>
 * <li>Live events that arrive while a read is under way are held and released after it.</li>
 * <li>A live event that a read started after its arrival does not find in the log is not in the log: it
 * is dropped as suspect and never chased again (and the next gap read waits, with backoff).</li>
 * <li>A doorbell (deletion, owner change, lost notifications) holds every newer live event until a read
 * started after it shows the row: a deleted stream ends with {@code deleted} (after any held versions of it
 * that follow on: its log went with the row), a caller who may no longer watch ends with {@code forbidden},
 * before any event committed after the change.</li>
 * <li>Every read re-checks both: a read sees the row, its tombstone and its log in one snapshot.</li>
 * <li>The history continued is the database's: every read also returns the tag of the logged change at the version
 * it continues from, and when that is not the tag of the change this client was sent (or, resuming, says it saw),
 * or the row is behind what was sent, the database has lost what the client holds (a failover to a standby that
 * lacked the last commits): a snapshot with {@code resync}, never a continuation. A change whose tag is not known
 * (a client that sent none, a change the log no longer keeps) is not checked.</li>
 * <li>A failed read is retried with backoff, a bounded number of times; then the subscription ends.</li>
 * <li>Replays go at the client's pace: each further page is read only once the client took the last one.</li>
 * <li>After the end (or {@link #close()}), nothing more goes out, whatever was pending.</li>
 * </ul>
 *
 * <p>Why one class: the rules above are one state machine over the same few fields (the last version sent, the
 * held events, the read under way, the doorbell pending); each rule reads what the others wrote, so spread over
 * classes they would share that mutable state, and its unit test walks it case by case as one.
 */
public final class SubscriptionState {

    /** Log rows asked for per read. */
    static final int PAGE = 500;
    /** Live events kept aside during a read; past it they are dropped and taken from the log instead. */
    static final int MAX_HELD = 1000;
    /** Failed reads in a row before the subscription gives up. */
    public static final int MAX_READ_FAILURES = 8;
    static final long FIRST_RETRY_MILLIS = 100;
    static final long MAX_RETRY_MILLIS = 5000;

    /** Why a subscription ended by itself. */
    public enum Ending {
        /** The video's row was deleted: nothing more of this stream follows. */
        DELETED,
        /** The caller may not (or may no longer) watch the video. */
        FORBIDDEN,
        /** No such video (at start). */
        NOT_FOUND,
        /** The database could not be read, even after retries. */
        INTERNAL
    }

    /** Where the decisions go: implemented by the I/O shell, and by a recorder in tests. */
    interface Sink {

        /** The subscription is accepted; called once, before its first frame. */
        void started();

        /** A live event, in order: its frame, encoded once for every subscriber. */
        void sendLive(EventFrame frame);

        /** An event read from the log; {@code replay} when it answers the subscriber's {@code after}, else a gap filled. */
        void sendLogged(StatusEvent event, boolean replay);

        void sendSnapshot(VideoState state, boolean resync);

        /** The client's history is not the database's (see the class's rules); a resync snapshot follows at once. */
        void diverged();

        /**
         * Read the video: its state, tombstone and log after {@code after} (at most {@code limit} rows; the shell
         * may ask fewer; 0 reads the state only), then answer {@link #onRead} or {@link #onReadFailed} with the
         * same {@code ticket}. {@code paced}: not before the client has taken what was sent. {@code delayMillis}:
         * wait that long first.
         */
        void read(long ticket, long after, int limit, boolean paced, long delayMillis);

        /** The subscription is over; nothing more is sent for it. */
        void end(Ending ending);
    }

    private enum Phase {
        NEW, STARTING, LIVE, ENDED
    }

    /** A live event held during a read, with the logical time it arrived. */
    private record Held(EventFrame frame, long arrivedAt) {
    }

    private static final Comparator<Held> BY_VERSION = Comparator.comparingLong(h -> h.frame().version());

    /** Who may watch what: the socket's caller, asked by the state machine. */
    interface Access {
        /** For a row (empty: none). */
        AccessGuard.Decision decide(Optional<VideoState> row);

        /** For a video owned by {@code ownerId} (null: no owner), e.g. a deleted one. */
        boolean mayWatch(String ownerId);
    }

    private final Access access;
    private final Sink sink;

    private Phase phase = Phase.NEW;
    private OptionalLong after = OptionalLong.empty();
    private long lastSent = -1;
    /** The tag of the change sent last (0: not known). */
    private long lastTag;
    /** The tag the client gave with {@code after} (0: none). */
    private long afterTag;
    /** Logical time: advanced by every arrival, doorbell and read issued. */
    private long clock;
    /** Time the read in flight was issued at; 0 when none is. */
    private long readTicket;
    private long readAfter;
    private int readLimit;
    /** Something came that the read in flight cannot answer: read again after it. */
    private boolean readAgain;
    /** Time of the latest doorbell no completed read has answered yet; -1 when none. */
    private long doorbellAt = -1;
    /** True while the log after the subscriber's {@code after} is being sent. */
    private boolean replaying;
    private int failures;
    private long suspectDelay;
    private long suspects;
    private final List<Held> held = new ArrayList<>(0);

    /**
     * @param access whether the caller may watch the video
     */
    SubscriptionState(Access access, Sink sink) {
        this.access = access;
        this.sink = sink;
    }

    /** Begins: reads the video (and the log after {@code after}, if given). */
    void start(OptionalLong after) {
        start(after, 0);
    }

    /** The same, with the tag of the change at {@code after} that the client says it saw (0: none). */
    void start(OptionalLong after, long afterTag) {
        if (phase != Phase.NEW) {
            throw new IllegalStateException("already started");
        }
        phase = Phase.STARTING;
        this.after = after;
        this.afterTag = after.isPresent() ? afterTag : 0;
        issueRead(after.orElse(0), after.isPresent() ? PAGE : 0, false, 0);
    }

    /** A verified live event of this video. */
    void onLive(EventFrame frame) {
        if (phase == Phase.ENDED) {
            return;
        }
        if (phase == Phase.LIVE && readTicket == 0) {
            long version = frame.version();
            if (version <= lastSent) {
                return;
            }
            if (version == lastSent + 1) {
                sink.sendLive(frame);
                lastSent = version;
                lastTag = frame.tag();
                return;
            }
            hold(frame);
            issueRead(lastSent, PAGE, false, suspectDelay);
            return;
        }
        hold(frame);
    }

    /** The row may have changed in a way no status event tells (deleted, owner changed), or notifications were missed. */
    void onDoorbell() {
        if (phase == Phase.ENDED) {
            return;
        }
        doorbellAt = ++clock;
        if (readTicket == 0) {
            issueRead(lastSent, PAGE, false, 0);
        } else {
            readAgain = true;
        }
    }

    /** The answer to the read issued with {@code ticket}. */
    void onRead(long ticket, VideoRead read) {
        if (phase == Phase.ENDED || ticket != readTicket) {
            return;
        }
        readTicket = 0;
        failures = 0;
        Optional<VideoState> state = read.state();
        if (phase == Phase.STARTING) {
            AccessGuard.Decision decision = access.decide(state);
            if (decision != AccessGuard.Decision.ALLOW) {
                end(decision == AccessGuard.Decision.FORBIDDEN ? Ending.FORBIDDEN : Ending.NOT_FOUND);
                return;
            }
            phase = Phase.LIVE;
            sink.started();
            VideoState current = state.get();
            if (after.isEmpty()) {
                snapshot(current, false);
            } else if (!replayable(after.getAsLong(), current, read.deletedThrough())) {
                if (after.getAsLong() > current.version()) {
                    // the client saw a version this database does not have (a failover that lost it, a restore)
                    sink.diverged();
                }
                snapshot(current, true);
            } else if (differs(afterTag, read.afterTag())) {
                sink.diverged();
                snapshot(current, true);
            } else {
                lastSent = after.getAsLong();
                replaying = true;
                if (!catchUp(read, current)) {
                    return;
                }
            }
        } else {
            if (state.isEmpty() || (read.deletedThrough() > 0 && read.deletedThrough() >= lastSent)) {
                if (read.deletedThrough() > 0) {
                    if (!access.mayWatch(read.deletedOwner())) {
                        // the owner it was deleted with is not this caller's: access ended first
                        end(Ending.FORBIDDEN);
                        return;
                    }
                    // the log went with the row: its versions held here that follow on go out first
                    releaseUpTo(read.deletedThrough());
                }
                end(Ending.DELETED);
                return;
            }
            if (access.decide(state) != AccessGuard.Decision.ALLOW) {
                end(Ending.FORBIDDEN);
                return;
            }
            if (state.get().version() < lastSent || differs(lastTag, read.afterTag())) {
                // the row is behind what this client was sent, or holds another change under the number sent last (a
                // restored database, a failover that lost commits): start over from it
                sink.diverged();
                snapshot(state.get(), true);
            } else if (!catchUp(read, state.get())) {
                return;
            }
        }
        release(ticket, state.get());
    }

    /** The read issued with {@code ticket} failed or timed out. */
    void onReadFailed(long ticket) {
        if (phase == Phase.ENDED || ticket != readTicket) {
            return;
        }
        failures++;
        if (failures > MAX_READ_FAILURES) {
            end(Ending.INTERNAL);
            return;
        }
        issueRead(readAfter, readLimit, false, backoff(failures));
    }

    /** Stops for good: nothing pending is sent, later input is ignored. */
    void close() {
        phase = Phase.ENDED;
        held.clear();
    }

    boolean isLive() {
        return phase == Phase.LIVE;
    }

    boolean isStarting() {
        return phase == Phase.STARTING;
    }

    boolean isEnded() {
        return phase == Phase.ENDED;
    }

    /** The last version sent, or -1. */
    long lastSent() {
        return lastSent;
    }

    /** The tag of the change sent last, or 0. */
    long lastTag() {
        return lastTag;
    }

    /** Whether the tag of a change that was sent (or claimed) and the tag the database holds for it, both known, differ. */
    static boolean differs(long sent, long held) {
        return sent != 0 && held != 0 && sent != held;
    }

    /** Live events dropped because the log did not hold them. */
    long suspects() {
        return suspects;
    }

    int heldCount() {
        return held.size();
    }

    /**
     * Whether {@code from} can be continued from the log: not from a stream that was deleted under this id
     * (every version of it is at most the tombstone's), not ahead of the row, and not older than the log keeps.
     */
    static boolean replayable(long from, VideoState state, long deletedThrough) {
        return (deletedThrough == 0 || from > deletedThrough) && from <= state.version() && from + 1 >= state.oldestLoggedVersion();
    }

    /**
     * Sends the read's log rows that follow on. Returns false when another read was issued (a page was
     * full), true when the log has been followed up to the state the read saw.
     */
    private boolean catchUp(VideoRead read, VideoState state) {
        for (StatusEvent event : read.events()) {
            if (event.version() <= lastSent) {
                continue;
            }
            if (event.version() != lastSent + 1) {
                // a hole in the log (retention took it): start over from the row
                replaying = false;
                snapshot(state, true);
                return true;
            }
            sink.sendLogged(event, replaying);
            lastSent = event.version();
            lastTag = ChangeTag.of(event);
        }
        if (!read.complete()) {
            issueRead(lastSent, PAGE, true, 0);
            return false;
        }
        replaying = false;
        if (lastSent < state.version()) {
            // the log stops short of the row: nothing can fill that in, so start over from the row
            snapshot(state, true);
        }
        return true;
    }

    /** After a read that was followed through: releases held events, or reads again. */
    private void release(long ticket, VideoState state) {
        if (doorbellAt > ticket) {
            // a doorbell rang after this read was issued: only a later read may clear it
            issueRead(lastSent, PAGE, false, 0);
            return;
        }
        doorbellAt = -1;
        held.sort(BY_VERSION);
        boolean foundSuspect = false;
        int kept = 0;
        for (int i = 0; i < held.size(); i++) {
            Held h = held.get(i);
            long version = h.frame().version();
            if (version <= lastSent) {
                continue;
            }
            if (h.arrivedAt() < ticket && version > state.version()) {
                // it came before the read began, yet the log does not hold it: not the trigger's event
                suspects++;
                foundSuspect = true;
                continue;
            }
            if (version == lastSent + 1 && kept == 0) {
                sink.sendLive(h.frame());
                lastSent = version;
                lastTag = h.frame().tag();
                continue;
            }
            held.set(kept++, h);
        }
        held.subList(kept, held.size()).clear();
        suspectDelay = foundSuspect ? Math.min(MAX_RETRY_MILLIS, Math.max(FIRST_RETRY_MILLIS, suspectDelay * 2)) : 0;
        if (kept > 0 || readAgain) {
            readAgain = false;
            issueRead(lastSent, PAGE, false, suspectDelay);
        }
    }

    /** Sends the held events that follow on from the last sent, up to {@code last}; leaves the rest. */
    private void releaseUpTo(long last) {
        held.sort(BY_VERSION);
        for (Held h : held) {
            long version = h.frame().version();
            if (version == lastSent + 1 && version <= last) {
                sink.sendLive(h.frame());
                lastSent = version;
                lastTag = h.frame().tag();
            }
        }
    }

    private void hold(EventFrame frame) {
        if (held.size() >= MAX_HELD) {
            // the log has all of them: drop the pile, read once more after the read in flight
            held.clear();
            readAgain = true;
        }
        held.add(new Held(frame, ++clock));
    }

    private void issueRead(long from, int limit, boolean paced, long delayMillis) {
        readTicket = ++clock;
        readAfter = from;
        readLimit = limit;
        sink.read(readTicket, from, limit, paced, delayMillis);
    }

    private void snapshot(VideoState state, boolean resync) {
        sink.sendSnapshot(state, resync);
        lastSent = state.version();
        lastTag = state.tag();
    }

    private void end(Ending ending) {
        phase = Phase.ENDED;
        held.clear();
        sink.end(ending);
    }

    public static long backoff(int failures) {
        return Math.min(MAX_RETRY_MILLIS, FIRST_RETRY_MILLIS << Math.min(20, failures - 1));
    }
}

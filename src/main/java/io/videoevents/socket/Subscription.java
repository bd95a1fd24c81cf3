package io.videoevents.socket;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.videoevents.socket.Frames.EventFrame;
import io.videoevents.video.StatusEvent;
import io.videoevents.video.VideoRepository;
import io.videoevents.video.VideoState;

/**
 * One video watched on one socket, and the only place that knows the last version this client got.
 *
 * <p>It is registered in the hub <em>before</em> it reads anything, so no live event can fall between
 * the read and going live: events that arrive while it catches up are held, then released if newer
 * than what was sent. Afterwards, for every event: not newer than the last sent, drop it; the next
 * one, send it; further ahead, fetch the missing versions from the log first. That gives each client
 * every version once, in order, whatever the listener or the network did in between.
 *
 * <p>State changes are guarded by the subscription's own monitor, held only for in-memory work and
 * the hand-off of frames to the socket (which never blocks), so frames leave in version order.
 */
final class Subscription {

    /** Rows fetched from the log per round trip while catching up. */
    static final int PAGE = 500;

    /** Outcome of {@link #start}. */
    enum Start {
        LIVE, NOT_FOUND, FORBIDDEN, ALREADY
    }

    final String videoId;
    final ClientConnection client;
    private final VideoRepository videos;
    private final Frames frames;
    private final SubscriptionHub hub;
    private final Duration readTimeout;

    private long lastSent = -1;
    private boolean catchingUp = true;
    private final List<EventFrame> held = new ArrayList<>(0);
    private volatile boolean closed;

    Subscription(String videoId, ClientConnection client, VideoRepository videos, Frames frames, SubscriptionHub hub,
            Duration readTimeout) {
        this.videoId = videoId;
        this.client = client;
        this.videos = videos;
        this.frames = frames;
        this.hub = hub;
        this.readTimeout = readTimeout;
    }

    /**
     * Registers, then sends a snapshot (no {@code after}) or replays the log after {@code after}, then goes live.
     * {@code gate} decides from the video's state (empty: no such video) whether that may happen; any
     * other answer than {@link Start#LIVE} ends the subscription with nothing sent.
     */
    Uni<Start> start(OptionalLong after, String greeting, Function<Optional<VideoState>, Start> gate) {
        hub.register(this);
        return videos.state(videoId)
                .ifNoItem().after(readTimeout).fail()
                .flatMap(state -> {
                    // one read decides both existence and access, so a refusal takes as long as a miss
                    Start decision = gate.apply(state);
                    return decision != Start.LIVE
                            ? Uni.createFrom().item(decision)
                            : greet(greeting).begin(state.get(), after).replaceWith(Start.LIVE);
                })
                .onTermination().invoke((start, failure, cancelled) -> {
                    if (start != Start.LIVE) {
                        close();
                    }
                });
    }

    /** Sends the answer to a subscribe (if any) ahead of everything else of this video. */
    private Subscription greet(String greeting) {
        if (greeting != null) {
            synchronized (this) {
                if (!closed) {
                    client.send(greeting);
                }
            }
        }
        return this;
    }

    private Uni<Void> begin(VideoState state, OptionalLong after) {
        if (after.isEmpty()) {
            return sendSnapshot(state, false);
        }
        long from = after.getAsLong();
        boolean replayable = from <= state.version() && from + 1 >= state.oldestLoggedVersion();
        if (!replayable) {
            // older than the log keeps, or ahead of this database: start over from the current state
            return sendSnapshot(state, true);
        }
        synchronized (this) {
            lastSent = from;
        }
        return catchUp();
    }

    private Uni<Void> sendSnapshot(VideoState state, boolean resync) {
        synchronized (this) {
            if (closed) {
                return Uni.createFrom().voidItem();
            }
            client.send(frames.snapshot(state, resync));
            lastSent = state.version();
        }
        return release();
    }

    /** A live event for this video (from the listener, or from a backfill after the listener came back). */
    void offer(EventFrame frame) {
        boolean fetch;
        synchronized (this) {
            if (closed) {
                return;
            }
            if (catchingUp) {
                held.add(frame);
                return;
            }
            long version = frame.version();
            if (version <= lastSent) {
                return;
            }
            if (version == lastSent + 1) {
                client.deliver(frame, true);
                lastSent = version;
                return;
            }
            catchingUp = true;
            held.add(frame);
            fetch = true;
        }
        if (fetch) {
            Log.debugf("video %s: got version %d after %d; filling the gap from the log", videoId, frame.version(), lastSentNow());
            catchUp().subscribe().with(ok -> {
            }, this::failed);
        }
    }

    /** The last version sent, or empty while nothing was sent yet. */
    synchronized OptionalLong lastSent() {
        return lastSent < 0 ? OptionalLong.empty() : OptionalLong.of(lastSent);
    }

    private synchronized long lastSentNow() {
        return lastSent;
    }

    /**
     * Sends what the log holds after the last sent version, a page at a time, each page only once the
     * client has taken the previous one; then releases held events. Retries while the database is away.
     */
    private Uni<Void> catchUp() {
        return Uni.createFrom().deferred(() -> {
            long from = lastSentNow();
            return videos.eventsAfter(videoId, from, PAGE)
                    .ifNoItem().after(readTimeout).fail()
                    .onFailure(failure -> !closed).retry().withBackOff(Duration.ofMillis(100), Duration.ofSeconds(5))
                    .indefinitely()
                    .flatMap(rows -> sendPage(rows)
                            .flatMap(next -> next == Next.MORE ? catchUp()
                                    : next == Next.RESYNC ? resync() : release()));
        });
    }

    private enum Next {
        MORE, DONE, RESYNC
    }

    /**
     * Sends a page of log rows in order. Stops early once the client's queue is half full: the rest is
     * fetched again after the client has taken what was sent, so a replay never trips the 4408 limit.
     */
    private Uni<Next> sendPage(List<StatusEvent> rows) {
        Uni<Void> lastWrite = Uni.createFrom().voidItem();
        boolean stoppedEarly = false;
        synchronized (this) {
            if (closed) {
                return Uni.createFrom().item(Next.DONE);
            }
            for (int i = 0; i < rows.size(); i++) {
                StatusEvent row = rows.get(i);
                if (row.version() <= lastSent) {
                    continue;
                }
                if (row.version() != lastSent + 1) {
                    Log.warnf("video %s: the log has no version %d (next is %d); sending a fresh snapshot",
                            videoId, lastSent + 1, row.version());
                    return Uni.createFrom().item(Next.RESYNC);
                }
                EventFrame frame = frames.status(row);
                stoppedEarly = i < rows.size() - 1 && client.halfFull();
                if (i == rows.size() - 1 || stoppedEarly) {
                    lastWrite = client.deliverAndAwait(frame);
                } else {
                    client.deliver(frame, false);
                }
                lastSent = row.version();
                if (stoppedEarly) {
                    break;
                }
            }
        }
        Next next = rows.size() == PAGE || stoppedEarly ? Next.MORE : Next.DONE;
        return lastWrite.replaceWith(next);
    }

    private Uni<Void> resync() {
        return videos.state(videoId)
                .ifNoItem().after(readTimeout).fail()
                .onFailure(failure -> !closed).retry().withBackOff(Duration.ofMillis(100), Duration.ofSeconds(5)).indefinitely()
                .flatMap(state -> state.isEmpty() ? gone() : sendSnapshot(state.get(), true));
    }

    private Uni<Void> gone() {
        client.fail(frames.error(ErrorCodes.NOT_FOUND, "video no longer exists", videoId), ErrorCodes.CLOSE_NOT_FOUND,
                "unknown video");
        return Uni.createFrom().voidItem();
    }

    /** Sends held live events that follow on; if they leave a gap, catches up again, else goes live. */
    private Uni<Void> release() {
        synchronized (this) {
            if (closed) {
                return Uni.createFrom().voidItem();
            }
            held.sort(Comparator.comparingLong(EventFrame::version));
            int i = 0;
            for (; i < held.size(); i++) {
                EventFrame frame = held.get(i);
                if (frame.version() <= lastSent) {
                    continue;
                }
                if (frame.version() != lastSent + 1) {
                    break;
                }
                client.deliver(frame, true);
                lastSent = frame.version();
            }
            boolean gap = i < held.size();
            held.subList(0, i).clear();
            if (!gap) {
                catchingUp = false;
                return Uni.createFrom().voidItem();
            }
        }
        return catchUp();
    }

    private void failed(Throwable failure) {
        Log.errorf(failure, "video %s: catching up failed", videoId);
        client.fail(frames.error(ErrorCodes.INTERNAL, "could not read the event log", videoId), ErrorCodes.CLOSE_INTERNAL,
                "internal error");
    }

    boolean isClosed() {
        return closed;
    }

    /** Stops delivery, then sends {@code farewell}: nothing of this video can follow it. */
    void unsubscribe(String farewell) {
        synchronized (this) {
            close();
            client.send(farewell);
        }
    }

    /** Stops delivery and leaves the hub and the socket; idempotent, takes no lock. */
    void close() {
        closed = true;
        hub.unregister(this);
        client.remove(this);
    }
}

package io.videoevents.subscription;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

import io.quarkus.arc.All;

import io.micrometer.core.instrument.Counter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.opentelemetry.api.trace.Span;
import io.videoevents.VideoLog;
import io.videoevents.notify.ListenerEvent;
import io.videoevents.notify.StatusListener;
import io.videoevents.video.Divergences;
import io.videoevents.subscription.Frames.EventFrame;
import io.videoevents.video.StatusEvent;

/**
 * Video id → the subscriptions watching it. An event touches only its own video's subscribers, is
 * encoded once, and is handed to each without waiting for any socket. Lock-free for readers: the
 * listener's thread never waits on subscribe or unsubscribe.
 */
@ApplicationScoped
public class SubscriptionHub {

    /**
     * Rung after every notification the hub takes (a status change, a deletion, an owner change, the listener
     * LISTENing again), after the video's subscriptions were given theirs: how the feed's reader of the log learns
     * there may be new rows, without this package knowing the feed.
     */
    public interface Listener {
        void ring();
    }

    /** Lines about one change (DEBUG, for changes that carry a trace context): the video's id and the trace id as fields. */
    private static final VideoLog CHANGES = VideoLog.of(SubscriptionHub.class);

    private final Map<String, Set<Subscription>> byVideo = new ConcurrentHashMap<>();
    private final AtomicInteger subscriptionCount = new AtomicInteger();
    private final StatusListener listener;
    private final Frames frames;
    private final List<Listener> rung;
    private final ReadBatcher reads;
    private final DeliveryTracing tracing;
    private final Divergences divergences;

    private final Counter backfilled;

    SubscriptionHub(StatusListener listener, Frames frames, @All List<Listener> rung, ReadBatcher reads, DeliveryTracing tracing,
            Divergences divergences, MeterRegistry registry) {
        this.listener = listener;
        this.divergences = divergences;
        this.frames = frames;
        this.rung = List.copyOf(rung);
        this.reads = reads;
        this.tracing = tracing;
        this.backfilled = Counter.builder("video.events.backfilled")
                .description("events live subscriptions read from the log instead of a notification: gaps filled, and"
                        + " what was committed while the LISTEN connection was away")
                .register(registry);
    }

    /** Subscribes to the listener's stream before the listener connects (it starts later in start-up). */
    void onStart(@Observes @Priority(Interceptor.Priority.APPLICATION) StartupEvent start) {
        listener.events().subscribe().with(this::on,
                failure -> Log.error("the listener's event stream failed; no more live events", failure));
    }

    /** Java 17 has no pattern switch; the chain below covers the whole sealed family, the last branch fails loudly. */
    void on(ListenerEvent event) {
        if (event instanceof ListenerEvent.StatusChanged changed) {
            deliver(changed.event(), changed.traceparent());
            ringListeners();
        } else if (event instanceof ListenerEvent.VideoDeleted deleted) {
            ring(deleted.videoId());
            ringListeners();
        } else if (event instanceof ListenerEvent.AccessChanged changed) {
            ring(changed.videoId());
            ringListeners();
        } else if (event instanceof ListenerEvent.Listening listening) {
            ringListeners();
            // whatever was committed while nobody listened (changes, deletions, new owners): every
            // subscription reads its video again; the reads are merged per video by the ReadBatcher
            int rung = ringAll();
            if (rung > 0) {
                Log.infof("LISTENing%s: %d subscriptions check the log for what they may have missed",
                        listening.reconnected() ? " again" : "", rung);
            }
        } else if (event instanceof ListenerEvent.ConnectionLost) {
            Log.warn("listener connection lost; live events resume after it reconnects");
        } else {
            throw new IllegalStateException("unhandled listener event " + event);
        }
    }

    /**
     * Hands one committed change to the subscriptions of its video. They are grouped by the event loop
     * their socket lives on and each loop gets its group in one task, so the frames are written from
     * the loop that owns the socket: one hand-over per loop per event instead of one cross-thread write
     * (and wake-up) per socket. A subscription's events keep their order: each loop runs its tasks in
     * the order they were given.
     */
    void deliver(StatusEvent event) {
        deliver(event, null);
    }

    /**
     * The same, for a change whose worker gave it a trace context: with tracing on, its hand-over and each event
     * loop's writes become spans of that trace, and a DEBUG line names the video and the trace.
     */
    void deliver(StatusEvent event, String traceparent) {
        Set<Subscription> subscriptions = byVideo.get(event.videoId());
        if (traceparent != null && CHANGES.debugEnabled()) {
            CHANGES.debugChange(event.videoId(), traceparent, "video %s version %d (%s): %d subscriptions here", event.videoId(),
                    event.version(), event.status(), subscriptions == null ? 0 : subscriptions.size());
        }
        if (subscriptions == null || subscriptions.isEmpty()) {
            return;
        }
        Span traced = traceparent == null || !tracing.enabled() ? null : tracing.deliver(event, traceparent, subscriptions.size());
        try {
            deliver(event, subscriptions, traced);
        } finally {
            if (traced != null) {
                traced.end();
            }
        }
    }

    private void deliver(StatusEvent event, Set<Subscription> subscriptions, Span traced) {
        EventFrame frame = frames.status(event);
        // the frame's bytes, encoded once; each loop holds a reference while it writes duplicates of them
        ByteBuf wire = TextFrame.encode(PooledByteBufAllocator.DEFAULT, frame.text());
        try {
            forEachLoop(subscriptions, group -> {
                Span writes = traced == null ? null : tracing.write(traced, group.size());
                int written = 0;
                for (Subscription subscription : group) {
                    if (subscription.offer(frame, wire)) {
                        written++;
                    }
                }
                if (written > 0) {
                    group.get(0).client.delivered(written, frame.occurredAtMillis());
                }
                if (writes != null) {
                    writes.setAttribute("video_events.written", written);
                    writes.end();
                }
            }, wire);
        } finally {
            wire.release();
        }
    }

    private void ringListeners() {
        for (Listener each : rung) {
            each.ring();
        }
    }

    /**
     * A new subscription of {@code client} to {@code videoId}, not yet started: it registers here when it starts
     * ({@link Subscription#start}); {@code greeting} (if any) goes out once it is accepted, {@code ended} is told if it
     * ends by itself.
     */
    public Subscription subscription(String videoId, Connection client, AccessGuard guard, String greeting,
            Subscription.Ended ended) {
        return new Subscription(videoId, client, guard, reads, frames, this, greeting, ended);
    }

    /** A doorbell for one video: its subscriptions read the row again before anything newer goes out. */
    void ring(String videoId) {
        Set<Subscription> subscriptions = byVideo.get(videoId);
        if (subscriptions != null && !subscriptions.isEmpty()) {
            forEachLoop(subscriptions, group -> group.forEach(Subscription::doorbell), null);
        }
    }

    /** A doorbell for every subscription; returns how many. */
    int ringAll() {
        List<Subscription> all = new ArrayList<>();
        byVideo.values().forEach(all::addAll);
        forEachLoop(all, group -> group.forEach(Subscription::doorbell), null);
        return all.size();
    }

    /**
     * Runs {@code action} once per event loop with that loop's subscriptions, on that loop. A loop other than
     * the caller's holds a reference to {@code retained} (if any) until its action has run.
     */
    private static void forEachLoop(Iterable<Subscription> subscriptions, Consumer<List<Subscription>> action,
            ByteBuf retained) {
        List<LoopGroup> groups = new ArrayList<>(4);
        for (Subscription subscription : subscriptions) {
            Thread loop = subscription.client.loop();
            LoopGroup group = null;
            for (LoopGroup candidate : groups) {
                if (candidate.loop == loop) {
                    group = candidate;
                    break;
                }
            }
            if (group == null) {
                group = new LoopGroup(loop, subscription.client.context(), action, retained);
                groups.add(group);
            }
            group.subscriptions.add(subscription);
        }
        // the other loops first: each starts writing its sockets as soon as it wakes, instead of waiting until
        // this thread has written all of its own
        LoopGroup here = null;
        for (LoopGroup group : groups) {
            if (group.loop == Thread.currentThread()) {
                here = group;
            } else {
                if (retained != null) {
                    retained.retain();
                }
                group.context.runOnContext(group);
            }
        }
        if (here != null) {
            here.action.accept(here.subscriptions);
        }
    }

    /** Some subscriptions on one event loop, and what to do with them there. */
    private static final class LoopGroup implements io.vertx.core.Handler<Void> {
        final Thread loop;
        final io.vertx.core.Context context;
        final Consumer<List<Subscription>> action;
        final ByteBuf retained;
        final List<Subscription> subscriptions = new ArrayList<>();

        LoopGroup(Thread loop, io.vertx.core.Context context, Consumer<List<Subscription>> action, ByteBuf retained) {
            this.loop = loop;
            this.context = context;
            this.action = action;
            this.retained = retained;
        }

        /** Runs on the group's loop, handed over from another thread: gives back the reference taken for it. */
        @Override
        public void handle(Void ignored) {
            try {
                action.accept(subscriptions);
            } finally {
                if (retained != null) {
                    retained.release();
                }
            }
        }
    }

    /** A subscription found the database holding another history than its client was sent, and resyncs. */
    void diverged() {
        divergences.video();
    }

    /** One event a live subscription took from the log instead of a notification (a gap filled, a catch-up). */
    void backfilled() {
        backfilled.increment();
    }

    void register(Subscription subscription) {
        byVideo.compute(subscription.videoId, (id, subscriptions) -> {
            Set<Subscription> set = subscriptions == null ? ConcurrentHashMap.newKeySet() : subscriptions;
            if (set.add(subscription)) {
                subscriptionCount.incrementAndGet();
            }
            return set;
        });
    }

    void unregister(Subscription subscription) {
        byVideo.computeIfPresent(subscription.videoId, (id, subscriptions) -> {
            if (subscriptions.remove(subscription)) {
                subscriptionCount.decrementAndGet();
            }
            return subscriptions.isEmpty() ? null : subscriptions;
        });
    }

    /** Open subscriptions on this instance. */
    public int subscriptionCount() {
        return subscriptionCount.get();
    }

    /** Subscriptions of one video on this instance. */
    public int watchers(String videoId) {
        Set<Subscription> subscriptions = byVideo.get(videoId);
        return subscriptions == null ? 0 : subscriptions.size();
    }

    /** Videos with at least one subscriber on this instance. */
    public int watchedVideoCount() {
        return byVideo.size();
    }
}

package io.videoevents.socket;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.videoevents.VideoEventsConfig;
import io.videoevents.notify.ListenerEvent;
import io.videoevents.notify.StatusListener;
import io.videoevents.socket.Frames.EventFrame;
import io.videoevents.video.StatusEvent;
import io.videoevents.video.VideoRepository;

/**
 * Video id → the subscriptions watching it. An event touches only its own video's subscribers, is
 * encoded once, and is handed to each without waiting for any socket. Lock-free for readers: the
 * listener's thread never waits on subscribe or unsubscribe.
 */
@ApplicationScoped
public class SubscriptionHub {

    /** Videos per backfill query after the listener comes back. */
    static final int BACKFILL_BATCH = 1000;

    private final Map<String, Set<Subscription>> byVideo = new ConcurrentHashMap<>();
    private final AtomicInteger subscriptionCount = new AtomicInteger();
    private final StatusListener listener;
    private final VideoRepository videos;
    private final Frames frames;

    private final Counter backfilled;

    private final Duration readTimeout;

    SubscriptionHub(StatusListener listener, VideoRepository videos, Frames frames, MeterRegistry registry,
            VideoEventsConfig config) {
        this.readTimeout = config.socket().readTimeout();
        this.listener = listener;
        this.videos = videos;
        this.frames = frames;
        this.backfilled = Counter.builder("video.events.backfilled")
                .description("events read from the log after the LISTEN connection came back").register(registry);
    }

    /** Subscribes to the listener's stream before the listener connects (it starts later in start-up). */
    void onStart(@Observes @Priority(Interceptor.Priority.APPLICATION) StartupEvent start) {
        listener.events().subscribe().with(this::on,
                failure -> Log.error("the listener's event stream failed; no more live events", failure));
    }

    /** Java 17 has no pattern switch; the chain below covers the whole sealed family, the last branch fails loudly. */
    void on(ListenerEvent event) {
        if (event instanceof ListenerEvent.StatusChanged changed) {
            deliver(changed.event());
        } else if (event instanceof ListenerEvent.Listening listening) {
            if (listening.reconnected()) {
                backfill().subscribe().with(count -> Log.infof("backfilled %d events after the listener came back", count),
                        failure -> Log.error("backfill after reconnect failed", failure));
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
        Set<Subscription> subscriptions = byVideo.get(event.videoId());
        if (subscriptions == null || subscriptions.isEmpty()) {
            return;
        }
        EventFrame frame = frames.status(event);
        List<LoopBatch> batches = new ArrayList<>(4);
        for (Subscription subscription : subscriptions) {
            Thread loop = subscription.client.loop();
            if (loop == null) {
                subscription.offer(frame);
                continue;
            }
            LoopBatch batch = null;
            for (LoopBatch candidate : batches) {
                if (candidate.loop == loop) {
                    batch = candidate;
                    break;
                }
            }
            if (batch == null) {
                batch = new LoopBatch(loop, subscription.client.context(), frame);
                batches.add(batch);
            }
            batch.subscriptions.add(subscription);
        }
        for (LoopBatch batch : batches) {
            if (batch.loop == Thread.currentThread()) {
                batch.handle(null);
            } else {
                batch.context.runOnContext(batch);
            }
        }
    }

    /** One event's subscriptions on one event loop. */
    private static final class LoopBatch implements io.vertx.core.Handler<Void> {
        final Thread loop;
        final io.vertx.core.Context context;
        final EventFrame frame;
        final List<Subscription> subscriptions = new ArrayList<>();

        LoopBatch(Thread loop, io.vertx.core.Context context, EventFrame frame) {
            this.loop = loop;
            this.context = context;
            this.frame = frame;
        }

        @Override
        public void handle(Void ignored) {
            for (Subscription subscription : subscriptions) {
                subscription.offer(frame);
            }
        }
    }

    /**
     * After the listener reconnects, everything committed while it was away is read from the log, in
     * a few batched queries, and offered like live events: each subscription keeps what it lacks.
     */
    Uni<Long> backfill() {
        List<String> ids = new ArrayList<>();
        List<Long> afters = new ArrayList<>();
        byVideo.forEach((videoId, subscriptions) -> {
            long oldest = Long.MAX_VALUE;
            for (Subscription subscription : subscriptions) {
                OptionalLong sent = subscription.lastSent();
                if (sent.isPresent()) {
                    oldest = Math.min(oldest, sent.getAsLong());
                }
            }
            if (oldest != Long.MAX_VALUE) {
                ids.add(videoId);
                afters.add(oldest);
            }
        });
        List<Uni<Long>> batches = new ArrayList<>();
        for (int from = 0; from < ids.size(); from += BACKFILL_BATCH) {
            int to = Math.min(ids.size(), from + BACKFILL_BATCH);
            String[] batchIds = ids.subList(from, to).toArray(String[]::new);
            Long[] batchAfters = afters.subList(from, to).toArray(Long[]::new);
            batches.add(Uni.createFrom().deferred(() -> videos.eventsAfter(batchIds, batchAfters))
                    .ifNoItem().after(readTimeout).fail()
                    // the database may have just come back too: keep trying, nothing else would fetch these
                    .onFailure().retry().withBackOff(Duration.ofMillis(100), Duration.ofSeconds(5)).indefinitely()
                    .map(rows -> {
                        rows.forEach(this::deliver);
                        backfilled.increment(rows.size());
                        return (long) rows.size();
                    }));
        }
        if (batches.isEmpty()) {
            return Uni.createFrom().item(0L);
        }
        return Multi.createFrom().iterable(batches)
                .onItem().transformToUniAndConcatenate(batch -> batch)
                .collect().with(java.util.stream.Collectors.summingLong(Long::longValue));
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

    /** Videos with at least one subscriber on this instance. */
    public int watchedVideoCount() {
        return byVideo.size();
    }
}

package io.videoevents.feed;

import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;
import io.videoevents.VideoEventsConfig;
import io.videoevents.subscription.Deliveries;
import io.videoevents.subscription.Frames;
import io.videoevents.video.FeedCursor;
import io.videoevents.video.Divergences;
import io.videoevents.video.FeedRepository;
import io.videoevents.video.FeedScope;

/**
 * Opens feeds on sockets and runs their own reads (snapshot pages, catching up on the log). Those reads are
 * larger than a video's and differ per caller, so they are not merged; instead at most
 * {@code video-events.feed.read-concurrency} run at once and the rest wait their turn, which keeps a storm
 * of reconnecting feeds from taking the pool that one-video subscriptions and REST use. Created at start-up,
 * so its series exist (at 0) from the first scrape.
 */
@Startup
@ApplicationScoped
public class Feeds {

    private final FeedRepository repository;
    private final FeedTail tail;
    private final Frames frames;
    private final Deliveries deliveries;
    private final Divergences divergences;
    private final int pageSize;
    private final int concurrency;
    private final Duration timeout;
    private final ConcurrentLinkedQueue<Runnable> waiting = new ConcurrentLinkedQueue<>();
    private final AtomicInteger running = new AtomicInteger();

    Feeds(FeedRepository repository, FeedTail tail, Frames frames, Divergences divergences, VideoEventsConfig config,
            MeterRegistry registry) {
        this.repository = repository;
        this.divergences = divergences;
        this.tail = tail;
        this.frames = frames;
        this.pageSize = Math.max(1, config.feed().pageSize());
        this.concurrency = Math.max(1, config.feed().readConcurrency());
        this.timeout = config.socket().readTimeout();
        this.deliveries = new Deliveries(registry, "video.events.feed.delivered", "feed changes written to sockets",
                "video.events.feed.delivery", "from the commit of a change to its feed message being written to a socket");
    }

    /**
     * Opens the feed of {@code scope} on {@code client} and starts it at {@code cursor} (null: a new snapshot;
     * {@code resync}: marked as replacing what the client had). On the socket's loop.
     */
    public FeedSubscription open(FeedConnection client, FeedScope scope, FeedCursor cursor, boolean resync, Runnable ended) {
        FeedSubscription subscription = new FeedSubscription(client, scope, this, ended);
        if (!client.addFeed(subscription)) {
            return null;
        }
        subscription.start(cursor, resync);
        return subscription;
    }

    FeedRepository repository() {
        return repository;
    }

    FeedTail tail() {
        return tail;
    }

    Frames frames() {
        return frames;
    }

    Divergences divergences() {
        return divergences;
    }

    Deliveries deliveries() {
        return deliveries;
    }

    int pageSize() {
        return pageSize;
    }

    /**
     * Runs a feed's read when its turn comes; {@code done} gets the item or the failure (a timeout too), on any thread.
     * The query is built inside the deferred Uni, so a query that throws while being built fails this read and frees
     * its turn instead of keeping it for good.
     */
    <T> void read(Supplier<Uni<T>> query, BiConsumer<T, Throwable> done) {
        waiting.add(() -> Uni.createFrom().<T> deferred(query::get).ifNoItem().after(timeout).fail().subscribe().with(item -> {
            finished();
            done.accept(item, null);
        }, failure -> {
            finished();
            done.accept(null, failure);
        }));
        pump();
    }

    private void finished() {
        running.decrementAndGet();
        pump();
    }

    private void pump() {
        while (!waiting.isEmpty()) {
            int now = running.get();
            if (now >= concurrency) {
                return;
            }
            if (!running.compareAndSet(now, now + 1)) {
                continue;
            }
            Runnable next = waiting.poll();
            if (next == null) {
                running.decrementAndGet();
                continue;
            }
            next.run();
        }
    }
}

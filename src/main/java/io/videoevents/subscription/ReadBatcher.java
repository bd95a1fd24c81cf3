package io.videoevents.subscription;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.videoevents.VideoEventsConfig;
import io.videoevents.video.VideoRead;
import io.videoevents.video.VideoRepository;

/**
 * Every read a subscription makes (snapshot, replay page, gap fill, re-check after a doorbell) goes
 * through here. At most {@code read-concurrency} queries run at once; requests that arrive meanwhile wait
 * and then go together in one query ({@link VideoRepository#read}), and identical requests (same video,
 * same {@code after}, same limit) are asked once and answered to all. So a light load costs one query per
 * read with no added wait, and a storm (thousands of sockets reconnecting, a listener coming back, a video
 * with many watchers deleted) costs a few large queries instead of one per socket.
 */
@ApplicationScoped
class ReadBatcher {

    /** Rows a batch may ask for at most (a state-only read counts as one). */
    static final int MAX_BATCH_ROWS = 5000;

    /** The answer to one read: exactly one of the two is non-null. */
    interface Callback {
        void done(VideoRead read, Throwable failure);
    }

    private record Key(String videoId, long after, int limit) {
    }

    private record Request(Key key, Callback callback) {
    }

    private final VideoRepository videos;
    private final Duration timeout;
    private final int concurrency;
    private final ConcurrentLinkedQueue<Request> waiting = new ConcurrentLinkedQueue<>();
    private final AtomicInteger running = new AtomicInteger();
    private final Counter queries;
    private final Counter requests;

    ReadBatcher(VideoRepository videos, VideoEventsConfig config, MeterRegistry registry) {
        this.videos = videos;
        this.timeout = config.socket().readTimeout();
        this.concurrency = Math.max(1, config.socket().readConcurrency());
        this.queries = Counter.builder("video.events.reads.queries")
                .description("queries run for subscriptions' reads (snapshots, replays, gap fills, re-checks)").register(registry);
        this.requests = Counter.builder("video.events.reads.requests")
                .description("reads asked for by subscriptions; several share one query under load").register(registry);
    }

    /** Reads {@code videoId}'s row and its log after {@code after} (at most {@code limit} rows); answers on any thread. */
    void read(String videoId, long after, int limit, Callback callback) {
        requests.increment();
        waiting.add(new Request(new Key(videoId, after, limit), callback));
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
            Map<Key, List<Callback>> batch = take();
            if (batch.isEmpty()) {
                running.decrementAndGet();
                continue;
            }
            run(batch);
        }
    }

    /** Takes waiting requests, merging identical ones, up to the batch's row budget. Held only while draining the queue. */
    private synchronized Map<Key, List<Callback>> take() {
        Map<Key, List<Callback>> batch = new LinkedHashMap<>();
        int rows = 0;
        Request request;
        while ((request = waiting.peek()) != null) {
            List<Callback> same = batch.get(request.key());
            if (same == null) {
                int cost = Math.max(1, request.key().limit());
                if (!batch.isEmpty() && rows + cost > MAX_BATCH_ROWS) {
                    break;
                }
                rows += cost;
                same = new ArrayList<>(1);
                batch.put(request.key(), same);
            }
            waiting.poll();
            same.add(request.callback());
        }
        return batch;
    }

    private void run(Map<Key, List<Callback>> batch) {
        int size = batch.size();
        String[] ids = new String[size];
        Long[] afters = new Long[size];
        Integer[] limits = new Integer[size];
        List<List<Callback>> callbacks = new ArrayList<>(size);
        int i = 0;
        for (Map.Entry<Key, List<Callback>> entry : batch.entrySet()) {
            ids[i] = entry.getKey().videoId();
            afters[i] = entry.getKey().after();
            limits[i] = entry.getKey().limit();
            callbacks.add(entry.getValue());
            i++;
        }
        queries.increment();
        videos.read(ids, afters, limits)
                .ifNoItem().after(timeout).fail()
                .subscribe().with(reads -> {
                    running.decrementAndGet();
                    for (int j = 0; j < reads.size(); j++) {
                        for (Callback callback : callbacks.get(j)) {
                            callback.done(reads.get(j), null);
                        }
                    }
                    pump();
                }, failure -> {
                    running.decrementAndGet();
                    for (List<Callback> each : callbacks) {
                        for (Callback callback : each) {
                            callback.done(null, failure);
                        }
                    }
                    pump();
                });
    }
}

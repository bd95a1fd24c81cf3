package io.videoevents.video;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.Startup;
import io.vertx.core.Vertx;

/**
 * Counts the subscriptions and feeds that found the database holding another history than their client was sent,
 * and were resynced from it. That happens when commits a client received are gone: a failover to a standby that
 * lacked them, a database restored from a backup. Operators see it as {@code video_events_history_diverged_total}
 * (by {@code stream}: {@code video}, {@code feed}) and as one WARN line per burst: a listener that comes back on a
 * promoted server makes every subscription check at once, and the line sums up what they found. Created at start-up,
 * so that both series exist (at 0) before anything diverges.
 */
@Startup
@ApplicationScoped
public class Divergences {

    /** How long a burst is collected before its line is logged. */
    static final long SUMMARY_DELAY_MILLIS = 1000;

    private final Vertx vertx;
    private final Counter videos;
    private final Counter feeds;
    private final AtomicLong pendingVideos = new AtomicLong();
    private final AtomicLong pendingFeeds = new AtomicLong();
    private final AtomicBoolean summaryDue = new AtomicBoolean();

    Divergences(Vertx vertx, MeterRegistry registry) {
        this.vertx = vertx;
        this.videos = counter(registry, "video");
        this.feeds = counter(registry, "feed");
    }

    private static Counter counter(MeterRegistry registry, String stream) {
        return Counter.builder("video.events.history.diverged").tag("stream", stream)
                .description("subscriptions (video) and feeds (feed) whose client had been sent changes the database no"
                        + " longer holds, or holds differently (a failover that lost commits, a restored backup): each was"
                        + " resynced from the database")
                .register(registry);
    }

    /** A single-video subscription was resynced because its history was not the database's. */
    public void video() {
        videos.increment();
        pendingVideos.incrementAndGet();
        summarySoon();
    }

    /** A feed (on a socket or over REST) was resynced because its history was not the database's. */
    public void feed() {
        feeds.increment();
        pendingFeeds.incrementAndGet();
        summarySoon();
    }

    private void summarySoon() {
        if (summaryDue.compareAndSet(false, true)) {
            vertx.setTimer(SUMMARY_DELAY_MILLIS, t -> {
                summaryDue.set(false);
                long v = pendingVideos.getAndSet(0);
                long f = pendingFeeds.getAndSet(0);
                if (v + f > 0) {
                    Log.warnf("the database no longer holds changes that clients were sent (a failover that lost commits,"
                            + " or a restored backup): %d video subscription(s) and %d feed(s) were resynced from it", v, f);
                }
            });
        }
    }
}

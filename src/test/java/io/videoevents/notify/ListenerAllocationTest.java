package io.videoevents.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.util.concurrent.EventExecutor;
import io.quarkus.test.junit.QuarkusTest;
import io.videoevents.support.Ids;
import io.videoevents.support.WorkerSql;

/**
 * What the LISTEN connection's event loop allocates per status notification: the PostgreSQL message, the
 * parse, the signature check and the hand-over to the hub (no socket watches the video, so nothing is
 * written). A count of bytes, not a timing. Every byte here is paid once per committed change by every
 * replica, and its collections are pauses that every socket waits through; the bound keeps the listener's
 * stream from wrapping each notification in context propagation again (BENCHMARKS.md, Findings).
 */
@QuarkusTest
class ListenerAllocationTest {

    static final int WARM_UP = 1_000;
    static final int MEASURED = 4_000;
    static final int ROUNDS = 3;
    /**
     * Measured here (default JIT): 1,848 B per notification with the decoding in the channel's handler, 2,768 B
     * with it in Mutiny stages wrapped by context propagation.
     */
    static final long BOUND_BYTES = 2_200;

    @Inject
    MeterRegistry registry;

    @Inject
    io.vertx.core.Vertx vertx;

    @Test
    void aStatusNotificationCostsTheListenerLittleHeap() throws Exception {
        String id = Ids.fresh("alloc");
        try (WorkerSql worker = WorkerSql.connect()) {
            worker.insertVideo(id);
            changes(worker.connection(), id, WARM_UP);
            double seen = awaitNotifications(0, WARM_UP);
            List<Thread> loops = eventLoopThreads();

            // the event loops do other work now and then (timers, a collection's aftermath); that only ever adds
            // bytes, so the least of a few rounds is the listener's own cost, and a real regression raises them all
            List<Long> rounds = new ArrayList<>();
            for (int round = 0; round < ROUNDS; round++) {
                long before = allocatedBytes(loops);
                changes(worker.connection(), id, MEASURED);
                seen = awaitNotifications(seen, MEASURED);
                rounds.add((allocatedBytes(loops) - before) / MEASURED);
            }
            long perNotification = rounds.stream().mapToLong(Long::longValue).min().orElseThrow();

            System.out.printf("the listener's event loop allocated %,d B per status notification (least of %s)%n",
                    perNotification, rounds);
            assertThat(perNotification).isPositive().isLessThanOrEqualTo(BOUND_BYTES);
        }
    }

    /** {@code count} status changes of one video in one transaction: as many notifications at its commit. */
    private static void changes(Connection connection, String id, int count) throws Exception {
        connection.setAutoCommit(false);
        try (PreparedStatement update = connection.prepareStatement("UPDATE videos SET processing_status = ? WHERE id = ?")) {
            for (int i = 0; i < count; i++) {
                update.setString(1, i % 2 == 0 ? "processing" : "pending");
                update.setString(2, id);
                update.addBatch();
            }
            update.executeBatch();
            connection.commit();
        } finally {
            connection.setAutoCommit(true);
        }
    }

    private double notifications() {
        var counter = registry.find("video.events.notifications").counter();
        return counter == null ? 0 : counter.count();
    }

    /** Waits until {@code count} more notifications than {@code from} were received in all; returns the new total. */
    private double awaitNotifications(double from, int count) {
        await().atMost(Duration.ofSeconds(60)).until(() -> notifications() >= from + count);
        return notifications();
    }

    /** The threads of the application's event loops (the LISTEN connection is on one of them). */
    private List<Thread> eventLoopThreads() throws Exception {
        List<Thread> threads = new ArrayList<>();
        for (EventExecutor loop : vertx.nettyEventLoopGroup()) {
            threads.add(loop.submit(Thread::currentThread).get(10, TimeUnit.SECONDS));
        }
        return threads;
    }

    private static long allocatedBytes(List<Thread> threads) {
        var bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long total = 0;
        for (Thread thread : threads) {
            total += Math.max(0, bean.getThreadAllocatedBytes(thread.getId()));
        }
        return total;
    }
}

package io.videoevents.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.videoevents.support.Ids;
import io.videoevents.support.NatsProfile;
import io.videoevents.support.TestRelay;
import io.videoevents.support.WorkerSql;

/**
 * What a replica in nats mode spends per status notification that arrives over NATS: the NATS client's threads read
 * the message and hand it over, the dispatcher's thread parses it, checks its signature and hands the event to the hub
 * (no socket watches the video, so nothing is written). Heap is a count of bytes and bounded, as for the LISTEN
 * connection ({@code ListenerAllocationTest}); CPU is printed, not judged. Every replica pays this for every relay's
 * copy of every change, watched or not: the figure behind one subject for all (docs/scaling.md).
 */
@QuarkusTest
@TestProfile(NatsProfile.class)
class NatsAllocationTest {

    static final int WARM_UP = 1_000;
    static final int MEASURED = 4_000;
    /**
     * Measured here (default JIT): 2,176–2,188 B per notification, about 340 B more than the LISTEN connection's path
     * (the NATS client's message object and its copy of the bytes); once 2,728 B, run after other profiles in the same
     * JVM. An extra JSON tree per message measured 3,771 B.
     */
    static final long BOUND_BYTES = 3_000;

    @Inject
    MeterRegistry registry;

    @Test
    void aStatusNotificationOverNatsCostsTheReplicaLittleHeap() throws Exception {
        String id = Ids.fresh("nats-alloc");
        try (WorkerSql worker = WorkerSql.connect();
                TestRelay relay = new TestRelay(WorkerSql.connect(), NatsProfile.server().url())) {
            worker.insertVideo(id);
            await().atMost(Duration.ofSeconds(20)).until(() -> registry.find("video.events.listener.up").gauge().value() == 1);
            changes(worker.connection(), id, WARM_UP);
            double seen = awaitNotifications(0, WARM_UP);

            long[] before = natsThreads();
            long allocatedBefore = allocated(before);
            long cpuBefore = cpu(before);
            changes(worker.connection(), id, MEASURED);
            awaitNotifications(seen, MEASURED);
            long[] after = natsThreads();
            long perNotification = (allocated(after) - allocatedBefore) / MEASURED;
            long cpuPerNotification = (cpu(after) - cpuBefore) / MEASURED;

            System.out.printf("the replica's NATS threads allocated %,d B and used %,d ns of CPU per status notification%n",
                    perNotification, cpuPerNotification);
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

    private double awaitNotifications(double from, int count) {
        await().atMost(Duration.ofSeconds(60)).until(() -> notifications() >= from + count);
        return notifications();
    }

    /** Ids of the replica's NATS client threads (named after its connection: reader, writer, dispatcher). */
    private static long[] natsThreads() {
        List<Thread> threads = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("video-events-replica")).toList();
        assertThat(threads).as("the NATS client's threads").isNotEmpty();
        return threads.stream().mapToLong(Thread::getId).toArray();
    }

    private static long allocated(long[] threads) {
        var bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        return Arrays.stream(bean.getThreadAllocatedBytes(threads)).filter(b -> b > 0).sum();
    }

    private static long cpu(long[] threads) {
        var bean = ManagementFactory.getThreadMXBean();
        return Arrays.stream(threads).map(bean::getThreadCpuTime).filter(t -> t > 0).sum();
    }
}

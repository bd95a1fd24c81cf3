package io.videoevents.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.videoevents.subscription.SubscriptionHub;
import io.videoevents.support.Ids;
import io.videoevents.support.Metrics;
import io.videoevents.support.TestSocket;
import io.videoevents.support.TightLimitsProfile;
import io.videoevents.support.WorkerSql;
import io.vertx.core.json.JsonObject;

/**
 * One client stops reading while 100 others watch the same video through a burst of changes: the
 * others get everything while the slow one is still stalled, the slow one is closed with 4408 once
 * its queue passes the limit (so the server never holds more for it), and it loses nothing by
 * resuming with {@code after}.
 */
@QuarkusTest
@TestProfile(TightLimitsProfile.class)
class SlowClientTest {

    static final int FAST_CLIENTS = 100;
    static final int CHANGES = 2500;
    static final int BATCH = 100;
    static final String[] CYCLE = { "processing", "processed", "failed", "pending" };
    /**
     * What the kernel and the client library may hold beyond the service's queue: the service's send buffer
     * (16 KiB asked, which Linux doubles), the client's receive buffer (4 KiB, doubled) and the client's
     * read-ahead before its pause takes effect.
     */
    static final int BUFFERED_BYTES = 64 * 1024;
    /** The same in frames, none of which is shorter than 128 bytes. */
    static final int BUFFERED_FRAMES = BUFFERED_BYTES / 128;

    @TestHTTPResource("/")
    URI base;

    @Inject
    SubscriptionHub hub;

    @Test
    void aStalledClientIsClosedAndNobodyElseWaits() {
        String id = Ids.fresh("slow");
        List<TestSocket> fast = new ArrayList<>();
        try (WorkerSql worker = WorkerSql.connect()) {
            // created before the socket opens: the socket's first read must find it (after=0 then replays version 1)
            worker.insertVideo(id);
        }
        try (WorkerSql worker = WorkerSql.connect();
                TestSocket slow = TestSocket.openWithSmallReceiveBuffer(base, "/videos/" + id + "/events?after=0")) {
            assertThat(slow.next("status").getLong("version")).isEqualTo(1);
            for (int i = 0; i < FAST_CLIENTS; i++) {
                TestSocket socket = TestSocket.watching(base, id);
                fast.add(socket);
            }
            double slowClosesBefore = Metrics.value("video_events_slow_client_closes_total").orElse(0);
            long heapBefore = usedHeapAfterGc();
            slow.pause();
            long bytesBeforeTheBurst = slow.bytesReceived();

            // batches of changes; each batch must reach every fast client, in order, before the next one is
            // committed: the others keep receiving on time while the slow client is stalled throughout
            long last = 1;
            for (int batch = 0; batch < CHANGES / BATCH; batch++) {
                for (int i = 0; i < BATCH; i++) {
                    worker.setStatus(id, CYCLE[(int) (last - 1 + i) % CYCLE.length]);
                }
                for (TestSocket socket : fast) {
                    for (long v = last + 1; v <= last + BATCH; v++) {
                        assertThat(socket.next("status").getLong("version")).isEqualTo(v);
                    }
                }
                last += BATCH;
            }
            await().atMost(TestSocket.WAIT)
                    .until(() -> Metrics.value("video_events_slow_client_closes_total").orElse(0) >= slowClosesBefore + 1);
            assertThat(hub.subscriptionCount()).isEqualTo(FAST_CLIENTS);
            long heapAfter = usedHeapAfterGc();
            System.out.printf("slow client: heap after GC %d KiB before the burst, %d KiB after%n", heapBefore / 1024,
                    heapAfter / 1024);
            assertThat(heapAfter - heapBefore).isLessThan(64L * 1024 * 1024);

            // the slow client reads what was held for it, in order and without gaps, then the 4408 close
            slow.resume();
            long seen = 1;
            int held = 0;
            for (Optional<JsonObject> message = slow.nextUntilClosed(); message.isPresent(); message = slow.nextUntilClosed()) {
                assertThat(message.get().getString("type")).isEqualTo("status");
                assertThat(message.get().getLong("version")).isEqualTo(seen + 1);
                seen = message.get().getLong("version");
                held++;
            }
            long heldBytes = slow.bytesReceived() - bytesBeforeTheBurst;
            assertThat(slow.awaitClose()).isEqualTo(4408);
            assertThat(seen).isLessThan(last);
            // "closed once its queue passes the limit": what reached the stalled client is at most what the limits
            // let the service queue for it, plus what the kernel's socket buffers on both ends hold
            System.out.printf("slow client: %d frames, %d bytes held for it (limits %d frames, %d bytes)%n", held,
                    heldBytes, TightLimitsProfile.MAX_QUEUED_MESSAGES, TightLimitsProfile.MAX_QUEUED_BYTES);
            assertThat(held).isLessThanOrEqualTo(TightLimitsProfile.MAX_QUEUED_MESSAGES + BUFFERED_FRAMES);
            assertThat(heldBytes).isLessThanOrEqualTo(TightLimitsProfile.MAX_QUEUED_BYTES + BUFFERED_BYTES);

            try (TestSocket resumed = TestSocket.open(base, "/videos/" + id + "/events?after=" + seen)) {
                for (long v = seen + 1; v <= last; v++) {
                    assertThat(resumed.next("status").getLong("version")).isEqualTo(v);
                }
            }
        } finally {
            fast.forEach(TestSocket::close);
        }
    }

    private static long usedHeapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}

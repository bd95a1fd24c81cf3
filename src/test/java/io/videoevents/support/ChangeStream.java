package io.videoevents.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import java.util.function.Supplier;

import io.vertx.core.json.JsonObject;

/**
 * A worker committing status changes round-robin over a set of videos, with clients watching each
 * video, and the check that every client got every version of its video exactly once, in order.
 */
public final class ChangeStream implements AutoCloseable {

    private static final String NEXT_STATUS = "UPDATE videos SET processing_status = CASE processing_status"
            + " WHEN 'pending' THEN 'processing' WHEN 'processing' THEN 'processed'"
            + " WHEN 'processed' THEN 'failed' ELSE 'pending' END WHERE id = ?";

    private final Supplier<WorkerSql> connect;
    private final Map<String, String> headers;
    private final List<String> videos = new ArrayList<>();
    private final List<Watcher> watchers = new ArrayList<>();
    private WorkerSql worker;

    public ChangeStream(URI base, Supplier<WorkerSql> connect, int videoCount, int clientsPerVideo) {
        this(List.of(base), connect, videoCount, clientsPerVideo, Map.of());
    }

    /** Clients are spread round-robin over {@code bases} (replicas) and send {@code headers} with their upgrade. */
    public ChangeStream(List<URI> bases, Supplier<WorkerSql> connect, int videoCount, int clientsPerVideo,
            Map<String, String> headers) {
        this.headers = headers;
        this.connect = connect;
        this.worker = connect.get();
        String prefix = Ids.fresh("stream");
        for (int v = 0; v < videoCount; v++) {
            String id = prefix + "-" + v;
            worker.insertVideo(id);
            videos.add(id);
        }
        int n = 0;
        for (String id : videos) {
            for (int c = 0; c < clientsPerVideo; c++) {
                watchers.add(new Watcher(id, bases.get(n++ % bases.size())));
            }
        }
        watchers.forEach(Watcher::awaitSnapshot);
    }

    public List<Watcher> watchers() {
        return watchers;
    }

    public List<String> videos() {
        return videos;
    }

    /** Commits one change of {@code videoId} on a connection of its own; returns the new version. */
    public long commitOne(String videoId) {
        try (WorkerSql other = connect.get();
                var statement = other.connection().prepareStatement(NEXT_STATUS + " RETURNING status_version")) {
            statement.setString(1, videoId);
            try (var rows = statement.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Commits {@code count} changes, one per transaction, round-robin over the videos; before change
     * {@code i} it calls {@code beforeChange.accept(i)}. A change that fails because the database went
     * away is retried on a new connection until it commits.
     */
    public void run(int count, IntConsumer beforeChange) {
        for (int i = 0; i < count; i++) {
            beforeChange.accept(i);
            String id = videos.get(i % videos.size());
            commitWithRetry(id);
        }
    }

    private void commitWithRetry(String id) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                try (var statement = worker.connection().prepareStatement(NEXT_STATUS)) {
                    statement.setString(1, id);
                    statement.executeUpdate();
                }
                return;
            } catch (SQLException | AssertionError e) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not commit a change for 60 s", e);
                }
                reconnect();
            }
        }
    }

    private void reconnect() {
        try {
            worker.close();
        } catch (AssertionError ignored) {
            // the old connection is already broken
        }
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> {
                    worker = connect.get();
                    return true;
                });
    }

    /** Current version of each video, read straight from the database. */
    public Map<String, Long> finalVersions() {
        return PacedChanges.versions(worker, videos);
    }

    /** Waits until every watcher has its video's final version, then checks each got every version once, in order. */
    public void assertEveryClientGotEveryVersionOnceInOrder(Duration within) {
        Map<String, Long> finalVersions = finalVersions();
        await().atMost(within).until(() -> watchers.stream().allMatch(w -> w.reached(finalVersions.get(w.videoId))));
        for (Watcher watcher : watchers) {
            watcher.assertContiguous(finalVersions.get(watcher.videoId));
        }
    }

    @Override
    public void close() {
        watchers.forEach(Watcher::close);
        worker.close();
    }

    /** One client watching one video; it can drop its socket and resume with {@code after}. */
    public final class Watcher {
        public final String videoId;
        private final List<Long> versions = new ArrayList<>();
        private TestSocket socket;
        private URI base;
        private long firstVersion = -1;

        Watcher(String videoId, URI base) {
            this.videoId = videoId;
            this.base = base;
            this.socket = TestSocket.open(base, "/videos/" + videoId + "/events", headers);
        }

        public URI base() {
            return base;
        }

        public boolean isClosed() {
            return socket.isClosed();
        }

        void awaitSnapshot() {
            JsonObject snapshot = socket.next("snapshot");
            firstVersion = snapshot.getLong("version");
            versions.add(firstVersion);
        }

        /** Takes what has arrived; true once the last version seen is {@code version}. */
        public synchronized boolean reached(long version) {
            drain();
            return !versions.isEmpty() && versions.get(versions.size() - 1) >= version;
        }

        private void drain() {
            JsonObject message;
            while (socket.pending() > 0 && (message = socket.next()) != null) {
                assertThat(message.getString("type")).as("message %s", message).isEqualTo("status");
                assertThat(message.getString("videoId")).isEqualTo(videoId);
                versions.add(message.getLong("version"));
            }
        }

        /** Closes the socket (as a client whose network dropped would) and opens a new one resuming after the last version seen. */
        public synchronized void reconnectWithAfter() {
            reconnectWithAfter(base);
        }

        /** The same, to another instance (a replica behind the same load balancer). */
        public synchronized void reconnectWithAfter(URI to) {
            drain();
            socket.close();
            long last = versions.get(versions.size() - 1);
            base = to;
            socket = TestSocket.open(to, "/videos/" + videoId + "/events?after=" + last, headers);
        }

        synchronized void assertContiguous(long finalVersion) {
            drain();
            List<Long> expected = new ArrayList<>();
            for (long v = firstVersion; v <= finalVersion; v++) {
                expected.add(v);
            }
            assertThat(versions).as("versions seen by a client of %s", videoId).containsExactlyElementsOf(expected);
        }

        void close() {
            socket.close();
        }
    }
}

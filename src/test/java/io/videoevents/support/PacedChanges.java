package io.videoevents.support;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * A worker committing status changes at a steady rate, one per transaction, round-robin over videos, on a
 * thread of its own until stopped. A commit that fails (the database is never the thing under test here,
 * but a connection can break) is retried on a new connection.
 */
public final class PacedChanges implements AutoCloseable {

    private static final String NEXT_STATUS = "UPDATE videos SET processing_status = CASE processing_status"
            + " WHEN 'pending' THEN 'processing' WHEN 'processing' THEN 'processed'"
            + " WHEN 'processed' THEN 'failed' ELSE 'pending' END WHERE id = ?";

    private final Supplier<WorkerSql> connect;
    private final List<String> videos;
    private final long intervalNanos;
    private final Thread thread;
    private final AtomicLong committed = new AtomicLong();
    private volatile boolean stopped;
    private volatile Throwable failure;

    public PacedChanges(Supplier<WorkerSql> connect, List<String> videos, int perSecond) {
        this.connect = connect;
        this.videos = videos;
        this.intervalNanos = TimeUnit.SECONDS.toNanos(1) / perSecond;
        this.thread = new Thread(this::run, "paced-changes");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private void run() {
        WorkerSql worker = connect.get();
        long next = System.nanoTime();
        long i = 0;
        long failingSince = -1;
        try {
            while (!stopped) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                    continue;
                }
                String id = videos.get((int) (i % videos.size()));
                try (var statement = worker.connection().prepareStatement(NEXT_STATUS)) {
                    statement.setString(1, id);
                    statement.executeUpdate();
                    committed.incrementAndGet();
                    i++;
                    next += intervalNanos;
                    failingSince = -1;
                } catch (SQLException | RuntimeException e) {
                    if (failingSince < 0) {
                        failingSince = System.nanoTime();
                    } else if (System.nanoTime() - failingSince > Duration.ofSeconds(30).toNanos()) {
                        throw new IllegalStateException("no change could be committed for 30 s", e);
                    }
                    try {
                        worker.close();
                    } catch (RuntimeException | AssertionError ignored) {
                        // already broken
                    }
                    worker = connect.get();
                }
            }
        } catch (Throwable e) {
            failure = e;
        } finally {
            try {
                worker.close();
            } catch (RuntimeException | AssertionError ignored) {
                // nothing more to do with it
            }
        }
    }

    public long committed() {
        return committed.get();
    }

    /** Stops committing; returns how many changes were committed. Fails if the worker failed. */
    public long stop() {
        stopped = true;
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (failure != null) {
            throw new AssertionError("the worker stopped committing", failure);
        }
        return committed.get();
    }

    /** Each video's current version, from the database. */
    public static Map<String, Long> versions(WorkerSql worker, List<String> videos) {
        Map<String, Long> versions = new java.util.HashMap<>();
        try (var statement = worker.connection().prepareStatement("SELECT id, status_version FROM videos WHERE id = ANY (?)")) {
            statement.setArray(1, worker.connection().createArrayOf("text", videos.toArray()));
            try (var rows = statement.executeQuery()) {
                while (rows.next()) {
                    versions.put(rows.getString(1), rows.getLong(2));
                }
            }
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
        return versions;
    }

    @Override
    public void close() {
        stopped = true;
    }
}

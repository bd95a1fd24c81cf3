package io.videoevents.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Workers as a worker fleet writes: plain JDBC sessions, autocommit, one
 * {@code UPDATE videos SET processing_status = ? WHERE id = ?} at a time each, the whole rate paced
 * evenly over the sessions (update n is due at n / rate seconds, session n mod W sends it). Each
 * session owns the videos whose index is its own modulo W, so a video's versions commit in order; a
 * status always changes, so each UPDATE makes the next version. A session that falls behind sends
 * at once until it has caught up; the step reports the rate reached.
 */
final class JdbcWorkers implements AutoCloseable {

    private static final String[] STATUSES = { "pending", "processing", "processed", "failed" };

    private final List<Connection> sessions = new ArrayList<>();
    private String[] ids = new String[0];
    private int[] statusIndex = new int[0];
    private CommitLog commits;

    JdbcWorkers(String jdbcUrl, int writers) {
        try {
            for (int w = 0; w < writers; w++) {
                Connection connection = DriverManager.getConnection(jdbcUrl);
                connection.setAutoCommit(true);
                sessions.add(connection);
            }
        } catch (SQLException e) {
            close();
            throw new IllegalStateException("cannot connect the workers to " + jdbcUrl + ": " + e.getMessage(), e);
        }
    }

    /** Creates the videos where missing, reads where each stands, and makes them the ones the next steps update. */
    CommitLog prepare(String[] videoIds) {
        Connection c = sessions.get(0);
        long[] base = new long[videoIds.length];
        int[] status = new int[videoIds.length];
        Map<String, Integer> index = new HashMap<>();
        for (int v = 0; v < videoIds.length; v++) {
            index.put(videoIds[v], v);
        }
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO videos (id, raw_file_path) SELECT id, 's3://bench/' || id "
                + "FROM unnest(?::text[]) id ON CONFLICT (id) DO NOTHING");
                PreparedStatement read = c.prepareStatement("SELECT id, status_version, processing_status FROM videos WHERE id = ANY(?)")) {
            insert.setArray(1, c.createArrayOf("text", videoIds));
            insert.executeUpdate();
            read.setArray(1, c.createArrayOf("text", videoIds));
            try (ResultSet rows = read.executeQuery()) {
                while (rows.next()) {
                    int v = index.get(rows.getString(1));
                    base[v] = rows.getLong(2);
                    status[v] = List.of(STATUSES).indexOf(rows.getString(3));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot prepare the videos: " + e.getMessage(), e);
        }
        this.ids = videoIds.clone();
        this.statusIndex = status;
        this.commits = new CommitLog(base);
        return commits;
    }

    /**
     * Sends {@code rate} UPDATEs per second for {@code seconds}, recording each commit under {@code step}
     * (-1: warm-up), and returns once every session has had its last one answered.
     */
    Driver.Step run(int rate, int seconds, int step) {
        int writers = sessions.size();
        long startedAt = System.nanoTime();
        long endAt = startedAt + TimeUnit.SECONDS.toNanos(seconds);
        AtomicLong committed = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        inThreads(writers, "bench-worker-", writer -> session(writer, writers, rate, startedAt, endAt, step, committed, failed));
        return new Driver.Step(rate, committed.get(), failed.get(), (System.nanoTime() - startedAt) / 1e9);
    }

    private void session(int writer, int writers, int rate, long startedAt, long endAt, int step, AtomicLong committed,
            AtomicLong failed) {
        List<Integer> mine = new ArrayList<>();
        for (int v = writer; v < ids.length; v += writers) {
            mine.add(v);
        }
        if (mine.isEmpty()) {
            return;
        }
        Connection connection = sessions.get(writer);
        try (PreparedStatement update = connection.prepareStatement("UPDATE videos SET processing_status = ? WHERE id = ?")) {
            for (long n = writer, i = 0;; n += writers, i++) {
                long due = startedAt + n * 1_000_000_000L / rate;
                if (due >= endAt) {
                    return;
                }
                long wait;
                while ((wait = due - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(wait);
                }
                int video = mine.get((int) (i % mine.size()));
                int next = (statusIndex[video] + 1) % STATUSES.length;
                update.setString(1, STATUSES[next]);
                update.setString(2, ids[video]);
                long sentAt = System.nanoTime();
                try {
                    int rows = update.executeUpdate();
                    long ackAt = System.nanoTime();
                    if (rows == 1) {
                        statusIndex[video] = next;
                        commits.committed(video, commits.lastVersion(video) + 1, sentAt, ackAt, step);
                        committed.incrementAndGet();
                    } else {
                        failed.incrementAndGet();
                    }
                } catch (SQLException e) {
                    if (failed.incrementAndGet() <= 5) {
                        System.err.println("update failed: " + e.getMessage());
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs one statement on the first session (DDL, settings). */
    void execute(String sql) {
        try (Statement statement = sessions.get(0).createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        for (Connection connection : sessions) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // closing anyway
            }
        }
    }

    /** Runs {@code session} for writers 0 … n-1, each on a thread of its own, and returns when all have. */
    static void inThreads(int n, String namePrefix, java.util.function.IntConsumer session) {
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < n; w++) {
            int writer = w;
            Thread thread = new Thread(() -> session.accept(writer), namePrefix + w);
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}

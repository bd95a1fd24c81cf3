package io.videoevents.bench;

import java.sql.*;
import java.util.*;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/** The tool's workers, as a worker fleet writes. */
final class JdbcWorkers implements AutoCloseable {

    /** The application name the tool's own connections carry in pg_stat_activity. */
    static final String APPLICATION_NAME = "bench-load";
    /** Whether every change carries a traceparent (-Dbench.traceparent=true: tracing.sh). */
    private static final boolean TRACED = Boolean.getBoolean("bench.traceparent");
    static final String[] STATUSES = { "pending", "processing", "processed", "failed" };

    /** What a step updates. */
    enum Kind {
        /** a status change: both triggers, the event log and pg_notify */
        NOTIFY("UPDATE videos SET processing_status = ? WHERE id = ?"),
        /** the same, asking for the change to be traced */
        TRACED("WITH traced AS (SELECT set_config('video_events.traceparent', ?, true))"
                + " UPDATE videos SET processing_status = ? FROM traced WHERE id = ?"),
        /** the same row, status unchanged: the version trigger runs, nothing is logged or notified */
        TOUCH("UPDATE videos SET processed_file_path = ? WHERE id = ?"),
        /** the same UPDATE on a copy of the table without triggers */
        PLAIN("UPDATE bench_videos_plain SET processing_status = ? WHERE id = ?");
        final String sql;

        Kind(String sql) {
            this.sql = sql;
        }
    }

    /** Outcome of one step. */
    record Step(int target, long committed, long failed, double seconds) {
        double rate() {
            return committed / seconds;
        }
    }

    private final List<Connection> sessions = new ArrayList<>();
    private String[] ids = new String[0];
    private int[] statusIndex = new int[0];
    private CommitLog commits;

    /** The JDBC URL of a {@code postgresql://user@host:port/database} URI, with the tool's application name. */
    static String jdbcUrl(String database) {
        java.net.URI uri = java.net.URI.create(database);
        String user = uri.getUserInfo() == null ? "postgres" : uri.getUserInfo().split(":")[0];
        return "jdbc:postgresql://" + uri.getHost() + ":" + (uri.getPort() < 0 ? 5432 : uri.getPort()) + uri.getPath() + "?user=" + user
                + "&ApplicationName=" + APPLICATION_NAME;
    }

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
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO videos (id, raw_file_path) SELECT id, 's3://bench/' || id "
                + "FROM unnest(?::text[]) id ON CONFLICT (id) DO NOTHING")) {
            insert.setArray(1, c.createArrayOf("text", videoIds));
            insert.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot prepare the videos: " + e.getMessage(), e);
        }
        read(videoIds, base, status);
        this.ids = videoIds.clone();
        this.statusIndex = status;
        this.commits = new CommitLog(base);
        return commits;
    }

    /** Where each video stands: its version and status index ({@code STATUSES}); whether it exists. */
    boolean[] read(String[] videoIds, long[] versions, int[] status) {
        Connection c = sessions.get(0);
        boolean[] exists = new boolean[videoIds.length];
        Map<String, Integer> index = new HashMap<>();
        for (int v = 0; v < videoIds.length; v++) {
            index.put(videoIds[v], v);
        }
        try (PreparedStatement read = c.prepareStatement("SELECT id, status_version, processing_status FROM videos WHERE id = ANY(?)")) {
            read.setArray(1, c.createArrayOf("text", videoIds));
            try (ResultSet rows = read.executeQuery()) {
                while (rows.next()) {
                    int v = index.get(rows.getString(1));
                    versions[v] = rows.getLong(2);
                    status[v] = List.of(STATUSES).indexOf(rows.getString(3));
                    exists[v] = true;
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the videos: " + e.getMessage(), e);
        }
        return exists;
    }

    /** Sends {@code rate} UPDATEs per second for {@code seconds}, each commit recorded under {@code step} (-1: warm-up). */
    Step run(int rate, int seconds, int step) {
        return run(TRACED ? Kind.TRACED : Kind.NOTIFY, rate, seconds, step);
    }

    /** As many UPDATEs of {@code kind} as the database commits, one in flight per session, for {@code seconds}. */
    Step maxRate(Kind kind, int seconds) {
        if (kind == Kind.PLAIN) {
            execute("CREATE TABLE IF NOT EXISTS bench_videos_plain (LIKE videos INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)");
            execute("INSERT INTO bench_videos_plain SELECT * FROM videos WHERE id = ANY('{" + String.join(",", ids) + "}') ON CONFLICT DO NOTHING");
        }
        try {
            return run(kind, 0, seconds, -1);
        } finally {
            if (kind == Kind.PLAIN) {
                execute("DROP TABLE IF EXISTS bench_videos_plain");
            }
        }
    }

    private Step run(Kind kind, int rate, int seconds, int step) {
        int writers = sessions.size();
        long startedAt = System.nanoTime();
        long endAt = startedAt + TimeUnit.SECONDS.toNanos(seconds);
        AtomicLong committed = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        inThreads(writers, "bench-worker-", writer -> session(kind, writer, writers, rate, startedAt, endAt, step, committed, failed));
        return new Step(rate, committed.get(), failed.get(), (System.nanoTime() - startedAt) / 1e9);
    }

    private void session(Kind kind, int writer, int writers, int rate, long startedAt, long endAt, int step, AtomicLong committed,
            AtomicLong failed) {
        List<Integer> mine = new ArrayList<>();
        for (int v = writer; v < ids.length; v += writers) {
            mine.add(v);
        }
        if (mine.isEmpty()) {
            return;
        }
        Connection connection = sessions.get(writer);
        int p = kind == Kind.TRACED ? 1 : 0;
        try (PreparedStatement update = connection.prepareStatement(kind.sql)) {
            for (long n = writer, i = 0;; n += writers, i++) {
                if (!awaitDue(rate == 0 ? System.nanoTime() : startedAt + n * 1_000_000_000L / rate, endAt)) {
                    return;
                }
                int video = mine.get((int) (i % mine.size()));
                int next = (statusIndex[video] + 1) % STATUSES.length;
                long sentAt = System.nanoTime();
                if (kind == Kind.TRACED) {
                    update.setString(1, String.format("00-%016x%016x-%016x-01", sentAt | 1, n, sentAt));
                }
                update.setString(p + 1, kind == Kind.TOUCH ? "s3://bench/out/" + n : STATUSES[next]);
                update.setString(p + 2, ids[video]);
                try {
                    int rows = update.executeUpdate();
                    long ackAt = System.nanoTime();
                    if (rows == 1) {
                        committed.incrementAndGet();
                        if (kind == Kind.NOTIFY || kind == Kind.TRACED) {
                            statusIndex[video] = next;
                            commits.committed(video, commits.lastVersion(video) + 1, sentAt, ackAt, step);
                        }
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

    /** The service's connections (application names video-events*), by name. */
    List<String> serviceConnections() {
        return strings("SELECT application_name FROM pg_stat_activity WHERE application_name LIKE 'video-events%' ORDER BY 1");
    }

    int maxConnections() {
        return Integer.parseInt(strings("SHOW max_connections").get(0));
    }

    private List<String> strings(String sql) {
        List<String> values = new ArrayList<>();
        try (Statement statement = sessions.get(0).createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            while (rows.next()) {
                values.add(rows.getString(1));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
        return values;
    }

    /** Waits until {@code due} (System.nanoTime()); false, at once, when that is at or past {@code endAt}. */
    static boolean awaitDue(long due, long endAt) {
        if (due >= endAt) {
            return false;
        }
        long wait;
        while ((wait = due - System.nanoTime()) > 0) {
            LockSupport.parkNanos(wait);
        }
        return true;
    }

    int size() {
        return sessions.size();
    }

    Connection session(int writer) {
        return sessions.get(writer);
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

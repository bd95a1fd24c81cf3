package io.videoevents.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

/**
 * The worker side: plain autocommit UPDATEs of {@code videos.processing_status} on connections of its
 * own, paced to a rate, each stamped with the moment its commit was acknowledged. Never two UPDATEs of
 * one video in flight, so a video's versions commit in order. Runs on an event loop of its own, apart
 * from the receiving sockets, so receiving never delays a commit stamp.
 */
final class Driver implements AutoCloseable {

    /** Whether the workers ask for their changes to be traced (tracing.sh). */
    private static final boolean TRACED = Boolean.getBoolean("bench.traceparent");

    /** The application name the tool's own connections carry in pg_stat_activity. */
    static final String APPLICATION_NAME = "bench-load";

    private static final String[] STATUSES = { "pending", "processing", "processed", "failed" };

    /** What {@link #maxRate} updates. */
    enum Kind {
        /** a status change: both triggers, the event log and pg_notify */
        NOTIFY("UPDATE videos SET processing_status = $2 WHERE id = $1 RETURNING status_version"),
        /** the same, from a worker that asks for its change to be traced (-Dbench.traceparent=true: tracing.sh) */
        TRACED("WITH traced AS (SELECT set_config('video_events.traceparent', $3, true))"
                + " UPDATE videos SET processing_status = $2 FROM traced WHERE id = $1 RETURNING status_version"),
        /** the same row, status unchanged: the version trigger runs, nothing is logged or notified */
        TOUCH("UPDATE videos SET processed_file_path = $2 WHERE id = $1 RETURNING status_version"),
        /** the same UPDATE on a copy of the table without triggers */
        PLAIN("UPDATE bench_videos_plain SET processing_status = $2 WHERE id = $1 RETURNING status_version");

        final String sql;

        Kind(String sql) {
            this.sql = sql;
        }
    }

    private final Vertx vertx;
    private final Pool pool;
    private final Options options;
    private final String[] ids;
    private final int[] statusIndex;
    private final boolean[] busy;
    private CommitLog commits;
    private int cursor;

    Driver(Options options) {
        this.options = options;
        this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
        PgConnectOptions connect = PgConnectOptions.fromUri(options.database());
        connect.addProperty("application_name", APPLICATION_NAME);
        connect.setCachePreparedStatements(true);
        this.pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(options.writers()))
                .connectingTo(connect).using(vertx).build();
        this.ids = new String[options.videos()];
        for (int v = 0; v < ids.length; v++) {
            ids[v] = options.videoId(v);
        }
        this.statusIndex = new int[ids.length];
        this.busy = new boolean[ids.length];
    }

    /** Creates the benchmark's videos where missing and reads where each one stands. */
    CommitLog setUp() {
        await(pool.preparedQuery("INSERT INTO videos (id, raw_file_path) SELECT id, 's3://bench/' || id FROM unnest($1::text[]) id "
                + "ON CONFLICT (id) DO NOTHING").execute(Tuple.of(ids)));
        long[] base = new long[ids.length];
        java.util.Map<String, Integer> index = new java.util.HashMap<>();
        for (int v = 0; v < ids.length; v++) {
            index.put(ids[v], v);
        }
        for (Row row : await(pool.preparedQuery("SELECT id, status_version, processing_status FROM videos WHERE id = ANY($1)")
                .execute(Tuple.of(ids)))) {
            int v = index.get(row.getString(0));
            base[v] = row.getLong(1);
            statusIndex[v] = List.of(STATUSES).indexOf(row.getString(2));
        }
        commits = new CommitLog(base);
        return commits;
    }

    /** Outcome of one step. */
    record Step(int target, long committed, long failed, double seconds) {
        double rate() {
            return committed / seconds;
        }
    }

    /**
     * Issues UPDATEs at {@code rate} per second for {@code seconds}, then waits for those in flight.
     * When the database cannot keep up, at most two per writer wait in flight and the rate falls short;
     * the step reports what was committed.
     */
    Step run(int rate, int seconds, int step) {
        Promise<Step> done = Promise.promise();
        vertx.runOnContext(ignored -> new Pacer(rate, seconds, step, Kind.NOTIFY, options.writers() * 2, done).start());
        return await(done.future());
    }

    /** As many UPDATEs of {@code kind} as the database commits, one in flight per writer, for {@code seconds}. */
    Step maxRate(Kind kind, int seconds) {
        if (kind == Kind.PLAIN) {
            await(pool.query("CREATE TABLE IF NOT EXISTS bench_videos_plain (LIKE videos INCLUDING DEFAULTS INCLUDING CONSTRAINTS "
                    + "INCLUDING INDEXES)").execute());
            await(pool.preparedQuery("INSERT INTO bench_videos_plain SELECT * FROM videos WHERE id = ANY($1) ON CONFLICT DO NOTHING")
                    .execute(Tuple.of(ids)));
        }
        Promise<Step> done = Promise.promise();
        vertx.runOnContext(ignored -> new Pacer(0, seconds, -1, kind, options.writers(), done).start());
        try {
            return await(done.future());
        } finally {
            if (kind == Kind.PLAIN) {
                await(pool.query("DROP TABLE IF EXISTS bench_videos_plain").execute());
            }
        }
    }

    /** The service's connections (application names video-events*) by name, and the server's max_connections. */
    List<String> serviceConnections() {
        List<String> names = new ArrayList<>();
        for (Row row : await(pool.query("SELECT application_name FROM pg_stat_activity WHERE application_name LIKE 'video-events%' "
                + "ORDER BY 1").execute())) {
            names.add(row.getString(0));
        }
        return names;
    }

    int maxConnections() {
        return Integer.parseInt(await(pool.query("SHOW max_connections").execute()).iterator().next().getString(0));
    }

    /** Runs on the driver's event loop: every millisecond, issues what the rate says is due. */
    private final class Pacer {
        private final int rate;
        private final int seconds;
        private final int step;
        private final Kind kind;
        private final int maxInFlight;
        private final Promise<Step> done;
        private long startedAt;
        private long issued;
        private long committed;
        private long failed;
        private int inFlight;
        private long timer;
        private boolean stopped;

        Pacer(int rate, int seconds, int step, Kind kind, int maxInFlight, Promise<Step> done) {
            this.rate = rate;
            this.seconds = seconds;
            this.step = step;
            this.kind = kind;
            this.maxInFlight = maxInFlight;
            this.done = done;
        }

        void start() {
            startedAt = System.nanoTime();
            timer = vertx.setPeriodic(1, id -> tick());
            tick();
        }

        private void tick() {
            long elapsed = System.nanoTime() - startedAt;
            if (elapsed >= TimeUnit.SECONDS.toNanos(seconds)) {
                stopped = true;
                vertx.cancelTimer(timer);
                finishIfIdle();
                return;
            }
            long due = rate == 0 ? Long.MAX_VALUE : elapsed * rate / 1_000_000_000L - issued;
            while (due-- > 0 && inFlight < maxInFlight) {
                int video = nextIdle();
                if (video < 0) {
                    break;
                }
                update(video);
            }
        }

        private int nextIdle() {
            for (int scanned = 0; scanned < ids.length; scanned++) {
                int video = cursor;
                cursor = (cursor + 1) % ids.length;
                if (!busy[video]) {
                    return video;
                }
            }
            return -1;
        }

        private void update(int video) {
            busy[video] = true;
            inFlight++;
            issued++;
            int next = (statusIndex[video] + 1) % STATUSES.length;
            String value = kind == Kind.TOUCH ? "s3://bench/out/" + issued : STATUSES[next];
            long sentAt = System.nanoTime();
            Tuple args = Tuple.of(ids[video], value);
            Kind sent = kind == Kind.NOTIFY && TRACED ? Kind.TRACED : kind;
            if (sent == Kind.TRACED) {
                args.addString(String.format("00-%016x%016x-%016x-01", sentAt | 1, issued, sentAt));
            }
            pool.preparedQuery(sent.sql).execute(args).onComplete(result -> {
                long at = System.nanoTime();
                busy[video] = false;
                inFlight--;
                if (result.succeeded()) {
                    committed++;
                    if (kind == Kind.NOTIFY) {
                        statusIndex[video] = next;
                        commits.committed(video, result.result().iterator().next().getLong(0), sentAt, at, step);
                    }
                } else {
                    failed++;
                    if (failed <= 5) {
                        System.err.println("update failed: " + result.cause());
                    }
                }
                if (stopped) {
                    finishIfIdle();
                } else if (rate == 0) {
                    tick();
                }
            });
        }

        private void finishIfIdle() {
            if (inFlight == 0) {
                done.tryComplete(new Step(rate, committed, failed, (System.nanoTime() - startedAt) / 1e9));
            }
        }
    }

    static <T> T await(Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e.getCause() != null ? e.getCause().getMessage() : e.toString(), e);
        }
    }

    @Override
    public void close() {
        await(pool.close());
        await(vertx.close());
    }
}

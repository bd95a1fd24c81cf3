package io.videoevents.video;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Reads of the feed log and of the videos a feed holds, each in one statement and so one snapshot of the
 * database. Every read returns the stable horizon of its snapshot (the oldest transaction still running):
 * log rows are read only below it, so a reader that has passed a position never sees a row appear behind it
 * (the reasoning is in {@code V6__feed_log.sql}).
 */
@ApplicationScoped
public class FeedRepository {

    /** The horizon (oldest running transaction) and the next transaction id of the statement's snapshot. */
    private static final String SNAPSHOT = "s AS (SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS horizon,"
            + " pg_snapshot_xmax(pg_current_snapshot())::text::bigint AS xmax),"
            + " p AS (SELECT position AS pruned_position, seq AS pruned_seq FROM video_feed_pruned)";

    private final Pool pool;
    private final String changesAll;
    private final String changesOfOwner;
    private final String tail;
    private final String snapshotAll;
    private final String snapshotOfOwner;

    public FeedRepository(Pool pool) {
        this.pool = pool;
        this.changesAll = changes("f.change <> 'left'", false);
        this.changesOfOwner = changes("f.audience = $4", false);
        this.tail = changes("true", true);
        this.snapshotAll = snapshot("true");
        this.snapshotOfOwner = snapshot("v.owner_id = $4");
    }

    /** What a read of the log found. */
    public record ChangesRead(List<FeedChange> changes, long horizon, boolean complete, boolean servable, boolean pending) {

        /** How far this read has covered the log: its last row, or everything below its horizon when complete. */
        public FeedCursor.Log reached(FeedCursor.Log after) {
            FeedCursor.Log last = changes.isEmpty() ? after : changes.get(changes.size() - 1).cursor();
            return complete ? last.max(new FeedCursor.Log(horizon, 0)) : last;
        }
    }

    /** A page of a feed's snapshot, taken at {@code at.position()}. */
    public record SnapshotRead(FeedCursor.Snapshot at, List<FeedVideo> videos, boolean complete, boolean servable) {

        /** Where the next page starts, or (when complete) where the log continues. */
        public FeedCursor next() {
            return complete ? at.end() : new FeedCursor.Snapshot(at.position(), videos.get(videos.size() - 1).videoId());
        }
    }

    /**
     * The feed's rows after {@code after}, oldest first, at most {@code limit}, below the horizon. Not servable
     * when retention has removed rows after {@code after}, or {@code after} is from beyond this database's
     * transactions (another database, one restored from a backup): the reader needs a new snapshot.
     */
    public Uni<ChangesRead> changes(FeedScope scope, FeedCursor.Log after, int limit) {
        Tuple args = Tuple.of(after.position(), after.seq(), limit);
        if (!scope.all()) {
            args.addString(scope.ownerId());
        }
        return pool.preparedQuery(scope.all() ? changesAll : changesOfOwner).execute(args)
                .map(rows -> changesRead(rows, after, limit));
    }

    /** Every row after {@code after} (the rows of all feeds: for an instance's reader of the log), and whether newer ones wait above the horizon. */
    public Uni<ChangesRead> tail(FeedCursor.Log after, int limit) {
        return pool.preparedQuery(tail).execute(Tuple.of(after.position(), after.seq(), limit))
                .map(rows -> changesRead(rows, after, limit));
    }

    /** The horizon of a snapshot taken now: every row of the log below it is there for good. */
    public Uni<Long> horizon() {
        return pool.query("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS horizon").execute()
                .map(rows -> rows.iterator().next().getLong("horizon"));
    }

    /**
     * A page of the videos a feed holds, ordered by id: from the start of a new snapshot ({@code from} null:
     * taken at the current horizon) or after {@code from}'s video. A video changed at or after the snapshot's
     * position is left out: the log after it tells that video's news, so the snapshot and the log that follows
     * it never tell a video twice.
     */
    public Uni<SnapshotRead> snapshot(FeedScope scope, FeedCursor.Snapshot from, int limit) {
        Tuple args = Tuple.of(from == null ? null : from.position(), from == null ? "" : from.afterId(), limit);
        if (!scope.all()) {
            args.addString(scope.ownerId());
        }
        return pool.preparedQuery(scope.all() ? snapshotAll : snapshotOfOwner).execute(args).map(rows -> {
            Row head = null;
            List<FeedVideo> videos = new ArrayList<>();
            for (Row row : rows) {
                head = head == null ? row : head;
                if (row.getString("id") != null) {
                    videos.add(new FeedVideo(row.getString("id"), row.getLong("status_version"), row.getString("processing_status"),
                            Video.instant(row.getOffsetDateTime("updated_at")), row.getString("owner_id")));
                }
            }
            long at = head.getLong("at");
            FeedCursor.Log end = new FeedCursor.Log(at, 0);
            boolean servable = at <= head.getLong("xmax") && !pruned(head).isAfter(end);
            return new SnapshotRead(new FeedCursor.Snapshot(at, from == null ? "" : from.afterId()), videos,
                    videos.size() < limit, servable);
        });
    }

    private static ChangesRead changesRead(io.vertx.mutiny.sqlclient.RowSet<Row> rows, FeedCursor.Log after, int limit) {
        Row head = null;
        List<FeedChange> changes = new ArrayList<>();
        for (Row row : rows) {
            head = head == null ? row : head;
            if (row.getLong("position") != null) {
                changes.add(FeedChange.from(row));
            }
        }
        boolean servable = after.position() <= head.getLong("xmax") && !pruned(head).isAfter(after);
        return new ChangesRead(servable ? changes : List.of(), head.getLong("horizon"), changes.size() < limit, servable,
                Boolean.TRUE.equals(head.getBoolean("pending")));
    }

    private static FeedCursor.Log pruned(Row head) {
        return new FeedCursor.Log(head.getLong("pruned_position"), head.getLong("pruned_seq"));
    }

    private static String changes(String filter, boolean pending) {
        return "WITH " + SNAPSHOT
                + " SELECT s.horizon, s.xmax, p.pruned_position, p.pruned_seq, "
                // whether rows wait above the horizon: the log's newest row is at or above it and after the cursor. One
                // step of the index from its end, whatever plan the prepared statement settles on; an EXISTS over the
                // rows above the horizon became a scan of the whole log under the generic plan (BENCHMARKS.md §15)
                + (pending ? "coalesce((SELECT n.position >= s.horizon AND (n.position, n.seq) > ($1, $2) FROM"
                        + " (SELECT position, seq FROM video_feed ORDER BY position DESC, seq DESC LIMIT 1) n), false)" : "false")
                + " AS pending, c.*"
                + " FROM s CROSS JOIN p LEFT JOIN LATERAL (SELECT " + prefixed("f", FeedChange.COLUMNS) + " FROM video_feed f"
                + "   WHERE (f.position, f.seq) > ($1, $2) AND f.position < s.horizon AND " + filter
                + "   ORDER BY f.position, f.seq LIMIT $3) c ON true"
                + " ORDER BY c.position, c.seq";
    }

    private static String snapshot(String filter) {
        return "WITH " + SNAPSHOT + ", a AS (SELECT coalesce($1::bigint, s.horizon) AS at FROM s)"
                + " SELECT a.at, s.xmax, p.pruned_position, p.pruned_seq, v.*"
                + " FROM s CROSS JOIN p CROSS JOIN a LEFT JOIN LATERAL (SELECT v.id, v.status_version, v.processing_status,"
                + "   v.updated_at, v.owner_id FROM videos v"
                + "   WHERE v.id > $2 AND coalesce(v.feed_position, 0) < a.at AND " + filter
                + "   ORDER BY v.id LIMIT $3) v ON true"
                + " ORDER BY v.id";
    }

    private static String prefixed(String alias, String columns) {
        StringBuilder out = new StringBuilder();
        for (String column : columns.split(",")) {
            out.append(out.length() == 0 ? "" : ", ").append(alias).append('.').append(column.trim());
        }
        return out.toString();
    }
}

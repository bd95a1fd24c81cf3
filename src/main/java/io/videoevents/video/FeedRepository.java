package io.videoevents.video;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Reads of the feed log and of the videos a feed holds, each in one statement and so one snapshot of the
 * database. Every read returns the stable horizon of its snapshot (the oldest transaction still running):
 * log rows are read only below it, so a reader that has passed a position never sees a row appear behind it
 * (the reasoning is in {@code V6__feed_log.sql}).
 *
 * <p>Every read that continues from a cursor also checks, in the same statement, that the history the reader
 * passed is the database's ({@link FeedCursor.Anchor}): that its place is not beyond the database's horizon, that
 * the last row of its feed at or before the place is the one it passed, and, when the reader last read from a server
 * this one has since replaced (a lower timeline), that no transaction which might have committed before that row
 * on the old server is unknown here ({@code V8__feed_rows_witness_their_commit.sql}). A read that finds otherwise
 * is {@code diverged} and not servable: the reader starts over from a snapshot. Cursors leave every read anchored
 * and stamped with the timeline read from, including those that came without an anchor.
 */
@ApplicationScoped
public class FeedRepository {

    /** Ids a straddle check looks at, at most; a row whose window is wider is not trusted after a failover. */
    static final int MAX_UNSETTLED_SCAN = 10_000;

    /** The epoch to pass for a cursor with no anchor: no timeline is after it, so nothing is scanned. */
    private static final int NO_EPOCH = Integer.MAX_VALUE;

    /** The horizon (oldest running transaction), the next transaction id and the server's timeline, from the statement's snapshot. */
    private static final String SNAPSHOT = "s AS (SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS horizon,"
            + " pg_snapshot_xmax(pg_current_snapshot())::text::bigint AS xmax,"
            // the first 8 hex digits of a WAL file's name are the timeline it was written on
            + " ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::integer AS timeline),"
            + " p AS (SELECT position AS pruned_position, seq AS pruned_seq FROM video_feed_pruned)";

    private final Pool pool;
    private final String changesAll;
    private final String changesOfOwner;
    private final String tail;
    private final String snapshotAll;
    private final String snapshotOfOwner;
    private final String horizon;

    public FeedRepository(Pool pool) {
        this.pool = pool;
        this.changesAll = changes("%s.change <> 'left'", false);
        this.changesOfOwner = changes("%s.audience = $5", false);
        this.tail = changes("true", true);
        this.snapshotAll = snapshot("%s.change <> 'left'", "true");
        this.snapshotOfOwner = snapshot("%s.audience = $5", "v.owner_id = $5");
        this.horizon = "WITH " + SNAPSHOT + " SELECT s.horizon, s.timeline, an.* FROM s"
                + anchor("true", "s.horizon, 0", "$1") + " ";
    }

    /** What a read of the log found. {@code start}: the cursor it continued from, anchored and stamped with this read's timeline. */
    public record ChangesRead(List<FeedChange> changes, long horizon, boolean complete, boolean servable, boolean pending,
            boolean diverged, int timeline, FeedCursor.Log start) {

        /** How far this read has covered the log: its last row, or everything below its horizon when complete. */
        public FeedCursor.Log reached() {
            FeedCursor.Log last = changes.isEmpty() ? start : changes.get(changes.size() - 1).cursor();
            return complete ? last.max(last.movedTo(horizon)) : last;
        }
    }

    /** A page of a feed's snapshot, taken at {@code at.position()}; {@code diverged}: the cursor continued was not this database's. */
    public record SnapshotRead(FeedCursor.Snapshot at, List<FeedVideo> videos, boolean complete, boolean servable,
            boolean diverged) {

        /** Where the next page starts, or (when complete) where the log continues. */
        public FeedCursor next() {
            return complete ? at.end()
                    : new FeedCursor.Snapshot(at.position(), videos.get(videos.size() - 1).videoId(), at.anchor());
        }
    }

    /**
     * The feed's rows after {@code after}, oldest first, at most {@code limit}, below the horizon. Not servable
     * when retention has removed rows after {@code after}, or the history {@code after} stands on is not this
     * database's (another database, one restored from a backup, a failover that lost commits: then also
     * {@code diverged}): the reader needs a new snapshot.
     */
    public Uni<ChangesRead> changes(FeedScope scope, FeedCursor.Log after, int limit) {
        Tuple args = Tuple.of(after.position(), after.seq(), limit, epochOf(after.anchor()));
        if (!scope.all()) {
            args.addString(scope.ownerId());
        }
        return pool.preparedQuery(scope.all() ? changesAll : changesOfOwner).execute(args)
                .map(rows -> changesRead(rows, after, limit));
    }

    /** Every row after {@code after} (the rows of all feeds: for an instance's reader of the log), and whether newer ones wait above the horizon. */
    public Uni<ChangesRead> tail(FeedCursor.Log after, int limit) {
        return pool.preparedQuery(tail).execute(Tuple.of(after.position(), after.seq(), limit, epochOf(after.anchor())))
                .map(rows -> changesRead(rows, after, limit));
    }

    /**
     * The horizon of a snapshot taken now, as a place of the whole log anchored at its last row below it: every row of
     * the log below it is there for good.
     */
    public Uni<FeedCursor.Log> horizon() {
        return pool.preparedQuery(horizon).execute(Tuple.of(NO_EPOCH)).map(rows -> {
            Row head = rows.iterator().next();
            int timeline = head.getInteger("timeline");
            return new FeedCursor.Log(head.getLong("horizon"), 0, found(head, timeline));
        });
    }

    /**
     * A page of the videos a feed holds, ordered by id: from the start of a new snapshot ({@code from} null:
     * taken at the current horizon) or after {@code from}'s video. A video changed at or after the snapshot's
     * position is left out: the log after it tells that video's news, so the snapshot and the log that follows
     * it never tell a video twice.
     */
    public Uni<SnapshotRead> snapshot(FeedScope scope, FeedCursor.Snapshot from, int limit) {
        Tuple args = Tuple.of(from == null ? null : from.position(), from == null ? "" : from.afterId(), limit,
                from == null ? NO_EPOCH : epochOf(from.anchor()));
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
            int timeline = head.getInteger("timeline");
            FeedCursor.Log end = new FeedCursor.Log(at, 0);
            boolean retained = !pruned(head).isAfter(end);
            boolean diverged = from != null && retained && !holds(end, from.anchor(), head);
            boolean servable = retained && !diverged && at <= head.getLong("xmax");
            FeedCursor.Anchor anchor = from == null || from.anchor() == null ? found(head, timeline) : from.anchor().readOn(timeline);
            return new SnapshotRead(new FeedCursor.Snapshot(at, from == null ? "" : from.afterId(), anchor), videos,
                    videos.size() < limit, servable, diverged);
        });
    }

    private static ChangesRead changesRead(RowSet<Row> rows, FeedCursor.Log after, int limit) {
        Row head = null;
        List<FeedChange> changes = new ArrayList<>();
        int timeline = 0;
        for (Row row : rows) {
            if (head == null) {
                head = row;
                timeline = head.getInteger("timeline");
            }
            if (row.getLong("position") != null) {
                changes.add(FeedChange.from(row, timeline));
            }
        }
        boolean retained = !pruned(head).isAfter(after);
        boolean diverged = retained && !holds(after, after.anchor(), head);
        boolean servable = retained && !diverged;
        FeedCursor.Log start = after.anchor() == null ? new FeedCursor.Log(after.position(), after.seq(), found(head, timeline))
                : after.readOn(timeline);
        return new ChangesRead(servable ? changes : List.of(), head.getLong("horizon"), changes.size() < limit, servable,
                Boolean.TRUE.equals(head.getBoolean("pending")), diverged, timeline, start);
    }

    /**
     * Whether the history a reader at {@code place} passed is this database's: the place is not beyond the horizon
     * (nothing of this database can be past it yet), and, when the reader named its last row, the last row of its feed
     * at or before the place now is that one, unsettled by nothing (see the class). A last row that is gone while
     * older than what retention removed cannot be checked, and is taken as kept.
     */
    private static boolean holds(FeedCursor.Log place, FeedCursor.Anchor anchor, Row head) {
        if (place.position() > head.getLong("horizon")) {
            return false;
        }
        if (anchor == null) {
            return true;
        }
        FeedCursor.Log pruned = pruned(head);
        Long foundPosition = head.getLong("a_position");
        if (foundPosition == null) {
            return anchor.isNoRow() || !anchor.place().isAfter(pruned);
        }
        if (anchor.isNoRow()) {
            return false;
        }
        FeedCursor.Log found = new FeedCursor.Log(foundPosition, head.getLong("a_seq"));
        int order = found.compareTo(anchor.place());
        if (order > 0) {
            // a row of the reader's feed it never passed, at or before its place
            return false;
        }
        if (order < 0) {
            return !anchor.place().isAfter(pruned);
        }
        return foundTag(head) == anchor.tag() && head.getLong("a_unsettled") == 0;
    }

    /** The last row of the feed at or before the read's place, as an anchor on {@code timeline}. */
    private static FeedCursor.Anchor found(Row head, int timeline) {
        Long position = head.getLong("a_position");
        return position == null ? FeedCursor.Anchor.noRow(timeline)
                : new FeedCursor.Anchor(position, head.getLong("a_seq"), foundTag(head), timeline);
    }

    private static long foundTag(Row head) {
        return ChangeTag.ofFeedRow(head.getLong("a_position"), head.getLong("a_seq"), head.getString("a_video_id"),
                FeedChange.Kind.of(head.getString("a_change")), head.getLong("a_version"), head.getString("a_status"),
                Video.instant(head.getOffsetDateTime("a_occurred_at")));
    }

    private static int epochOf(FeedCursor.Anchor anchor) {
        return anchor == null ? NO_EPOCH : anchor.epoch();
    }

    private static FeedCursor.Log pruned(Row head) {
        return new FeedCursor.Log(head.getLong("pruned_position"), head.getLong("pruned_seq"));
    }

    /**
     * The last row of the feed ({@code filter} on alias {@code w}) at or before ({@code place}), and, for a reader
     * whose epoch ({@code epoch}, a parameter) is before this server's timeline, how many transactions between the
     * row's horizon and its position this server reports as aborted: any of them may have committed on the server it
     * replaced, before the row, unseen here (V8).
     */
    private static String anchor(String filter, String place, String epoch) {
        return " LEFT JOIN LATERAL (SELECT w.position AS a_position, w.seq AS a_seq, w.video_id AS a_video_id,"
                + " w.change AS a_change, w.version AS a_version, w.status AS a_status, w.occurred_at AS a_occurred_at,"
                + " CASE WHEN " + epoch + "::integer >= s.timeline OR w.horizon IS NULL THEN 0"
                + "   WHEN w.position - w.horizon > " + MAX_UNSETTLED_SCAN + " THEN 1"
                + "   ELSE (SELECT count(*) FROM generate_series(w.horizon, w.position - 1) x"
                + "         WHERE pg_xact_status(x::text::xid8) = 'aborted') END AS a_unsettled"
                + " FROM video_feed w WHERE (w.position, w.seq) <= (" + place + ") AND " + filter.formatted("w")
                + " ORDER BY w.position DESC, w.seq DESC LIMIT 1) an ON true";
    }

    private static String changes(String filter, boolean pending) {
        return "WITH " + SNAPSHOT
                + " SELECT s.horizon, s.xmax, s.timeline, p.pruned_position, p.pruned_seq, "
                // whether rows wait above the horizon: the log's newest row is at or above it and after the cursor. One
                // step of the index from its end, whatever plan the prepared statement settles on; an EXISTS over the
                // rows above the horizon became a scan of the whole log under the generic plan (BENCHMARKS.md, Findings)
                + (pending ? "coalesce((SELECT n.position >= s.horizon AND (n.position, n.seq) > ($1, $2) FROM"
                        + " (SELECT position, seq FROM video_feed ORDER BY position DESC, seq DESC LIMIT 1) n), false)" : "false")
                + " AS pending, an.*, c.*"
                + " FROM s CROSS JOIN p" + anchor(filter, "$1, $2", "$4")
                + " LEFT JOIN LATERAL (SELECT " + prefixed("f", FeedChange.COLUMNS) + " FROM video_feed f"
                + "   WHERE (f.position, f.seq) > ($1, $2) AND f.position < s.horizon AND " + filter.formatted("f")
                + "   ORDER BY f.position, f.seq LIMIT $3) c ON true"
                + " ORDER BY c.position, c.seq";
    }

    private static String snapshot(String logFilter, String videoFilter) {
        return "WITH " + SNAPSHOT + ", a AS (SELECT coalesce($1::bigint, s.horizon) AS at FROM s)"
                + " SELECT a.at, s.xmax, s.horizon, s.timeline, p.pruned_position, p.pruned_seq, an.*, v.*"
                + " FROM s CROSS JOIN p CROSS JOIN a" + anchor(logFilter, "a.at, 0", "$4")
                + " LEFT JOIN LATERAL (SELECT v.id, v.status_version, v.processing_status,"
                + "   v.updated_at, v.owner_id FROM videos v"
                + "   WHERE v.id > $2 AND coalesce(v.feed_position, 0) < a.at AND " + videoFilter
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

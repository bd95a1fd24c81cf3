package io.videoevents.video;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgException;

/**
 * All reads and writes of videos and their event log, over the reactive pool. Writes go through the
 * same table a worker writes, so the trigger versions and announces them exactly as it does a
 * worker's SQL.
 */
@ApplicationScoped
public class VideoRepository {

    private static final String UNIQUE_VIOLATION = "23505";

    private final Pool pool;

    public VideoRepository(Pool pool) {
        this.pool = pool;
    }

    /** Inserts a video; fails with {@link IdTakenException} if the id exists. Without an id the database picks a UUID. */
    public Uni<Video> create(String id, String rawFilePath, String ownerId) {
        Uni<RowSet<Row>> insert = id == null
                ? pool.preparedQuery("INSERT INTO videos (raw_file_path, owner_id) VALUES ($1, $2) RETURNING " + Video.COLUMNS)
                        .execute(Tuple.of(rawFilePath, ownerId))
                : pool.preparedQuery("INSERT INTO videos (id, raw_file_path, owner_id) VALUES ($1, $2, $3) RETURNING "
                        + Video.COLUMNS)
                        .execute(Tuple.of(id, rawFilePath, ownerId));
        return insert
                .onFailure(e -> e instanceof PgException pg && UNIQUE_VIOLATION.equals(pg.getSqlState()))
                .transform(e -> new IdTakenException(id))
                .map(rows -> Video.from(rows.iterator().next()));
    }

    public Uni<Optional<Video>> find(String id) {
        return pool.preparedQuery("SELECT " + Video.COLUMNS + " FROM videos WHERE id = $1")
                .execute(Tuple.of(id))
                .map(VideoRepository::first);
    }

    /**
     * A page of videos ordered by id, starting after {@code afterId} (keyset paging: stable while rows are
     * added), optionally only those of one owner.
     */
    public Uni<List<Video>> list(Optional<VideoStatus> status, Optional<String> afterId, Optional<String> ownerId, int limit) {
        return pool.preparedQuery("SELECT " + Video.COLUMNS + " FROM videos"
                + " WHERE ($1::text IS NULL OR processing_status = $1) AND ($2::text IS NULL OR id > $2)"
                + " AND ($3::text IS NULL OR owner_id = $3)"
                + " ORDER BY id LIMIT $4")
                .execute(Tuple.of(status.map(VideoStatus::wire).orElse(null), afterId.orElse(null), ownerId.orElse(null), limit))
                .map(rows -> {
                    List<Video> page = new ArrayList<>(rows.size());
                    rows.forEach(row -> page.add(Video.from(row)));
                    return page;
                });
    }

    /**
     * Sets the status the way a worker does; the trigger assigns the version. Empty if the video does not exist. While
     * a span is current (tracing on, a traced request), the change carries its trace context, as a worker's does when
     * it sets {@code video_events.traceparent}: its deliveries then join the request's trace.
     */
    public Uni<Optional<Video>> updateStatus(String id, VideoStatus status) {
        SpanContext span = Span.current().getSpanContext();
        if (!span.isValid()) {
            return pool.preparedQuery("UPDATE videos SET processing_status = $2 WHERE id = $1 RETURNING " + Video.COLUMNS)
                    .execute(Tuple.of(id, status.wire()))
                    .map(VideoRepository::first);
        }
        String traceparent = "00-" + span.getTraceId() + "-" + span.getSpanId() + "-" + span.getTraceFlags().asHex();
        // set for this statement's transaction only, before the row (and so its triggers) is touched
        return pool.preparedQuery("WITH traced AS (SELECT set_config('video_events.traceparent', $3, true))"
                + " UPDATE videos SET processing_status = $2 FROM traced WHERE id = $1 RETURNING " + Video.COLUMNS)
                .execute(Tuple.of(id, status.wire(), traceparent))
                .map(VideoRepository::first);
    }

    /** Events of one video with {@code version > after}, oldest first, at most {@code limit}. */
    public Uni<List<StatusEvent>> eventsAfter(String videoId, long after, int limit) {
        return pool.preparedQuery("SELECT " + StatusEvent.COLUMNS + " FROM video_status_events"
                + " WHERE video_id = $1 AND version > $2 ORDER BY version LIMIT $3")
                .execute(Tuple.of(videoId, after, limit))
                .map(VideoRepository::events);
    }

    /**
     * Many {@link VideoRead}s in one round trip and one snapshot: for each i, video {@code ids[i]} with its
     * log after {@code afters[i]} (at most {@code limits[i]} rows; 0 reads the state only). Results come in
     * the order asked.
     */
    public Uni<List<VideoRead>> read(String[] ids, Long[] afters, Integer[] limits) {
        // besides the log after `after`: the logged changes at the row's version and at `after` itself, whose tags tell
        // a reader whether the history it continues is this database's (two lookups by primary key)
        return pool.preparedQuery("SELECT r.i, v.processing_status, v.status_version, v.updated_at, v.owner_id,"
                + " (SELECT min(o.version) FROM video_status_events o WHERE o.video_id = r.id) AS oldest_version,"
                + " t.last_version AS deleted_through, t.owner_id AS deleted_owner, c.status AS current_status,"
                + " c.occurred_at AS current_at, a.status AS after_status, a.occurred_at AS after_at,"
                + " e.version, e.status, e.previous_status, e.occurred_at"
                + " FROM unnest($1::text[], $2::bigint[], $3::int[]) WITH ORDINALITY AS r(id, after, lim, i)"
                + " LEFT JOIN videos v ON v.id = r.id"
                + " LEFT JOIN video_tombstones t ON t.video_id = r.id"
                + " LEFT JOIN video_status_events c ON c.video_id = r.id AND c.version = v.status_version"
                + " LEFT JOIN video_status_events a ON a.video_id = r.id AND a.version = r.after AND r.after > 0"
                + " LEFT JOIN LATERAL (SELECT l.version, l.status, l.previous_status, l.occurred_at FROM video_status_events l"
                + "   WHERE l.video_id = r.id AND l.version > r.after ORDER BY l.version LIMIT r.lim) e ON true"
                + " ORDER BY r.i, e.version")
                .execute(Tuple.of(ids, afters, limits))
                .map(rows -> {
                    List<VideoRead> reads = new ArrayList<>(ids.length);
                    Row head = null;
                    int i = -1;
                    List<StatusEvent> events = null;
                    for (Row row : rows) {
                        int index = row.getLong("i").intValue() - 1;
                        if (index != i) {
                            if (head != null) {
                                reads.add(videoRead(ids[i], afters[i], limits[i], head, events));
                            }
                            head = row;
                            i = index;
                            events = new ArrayList<>();
                        }
                        Long version = row.getLong("version");
                        if (version != null) {
                            events.add(new StatusEvent(ids[i], version, row.getString("status"), row.getString("previous_status"),
                                    Video.instant(row.getOffsetDateTime("occurred_at"))));
                        }
                    }
                    if (head != null) {
                        reads.add(videoRead(ids[i], afters[i], limits[i], head, events));
                    }
                    return reads;
                });
    }

    private static VideoRead videoRead(String id, long after, int limit, Row row, List<StatusEvent> events) {
        Long deletedThrough = row.getLong("deleted_through");
        Optional<VideoState> state = Optional.empty();
        Long version = row.getLong("status_version");
        if (version != null) {
            Long oldest = row.getLong("oldest_version");
            state = Optional.of(new VideoState(id, version, row.getString("processing_status"),
                    Video.instant(row.getOffsetDateTime("updated_at")), oldest == null ? version : oldest,
                    row.getString("owner_id"), ChangeTag.ofStatus(id, version, row.getString("current_status"),
                            Video.instant(row.getOffsetDateTime("current_at")))));
        }
        long afterTag = after == 0 ? 0 : ChangeTag.ofStatus(id, after, row.getString("after_status"),
                Video.instant(row.getOffsetDateTime("after_at")));
        return new VideoRead(state, deletedThrough == null ? 0 : deletedThrough, row.getString("deleted_owner"), events,
                events.size() < limit, afterTag);
    }

    /**
     * What a subscriber needs to start: the current state and the oldest version the log still holds
     * (so a resume from before it is known to need a fresh snapshot). Empty if the video does not exist.
     */
    public Uni<Optional<VideoState>> state(String videoId) {
        return read(new String[] { videoId }, new Long[] { 0L }, new Integer[] { 0 }).map(reads -> reads.get(0).state());
    }

    private static Optional<Video> first(RowSet<Row> rows) {
        return rows.size() == 0 ? Optional.empty() : Optional.of(Video.from(rows.iterator().next()));
    }

    private static List<StatusEvent> events(RowSet<Row> rows) {
        List<StatusEvent> events = new ArrayList<>(rows.size());
        rows.forEach(row -> events.add(StatusEvent.from(row)));
        return events;
    }

    /** The id given to {@link #create} is already used. */
    public static final class IdTakenException extends RuntimeException {
        public IdTakenException(String id) {
            super("a video with id '" + id + "' already exists", null, false, false);
        }
    }
}

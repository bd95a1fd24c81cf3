package io.videoevents.video;

import java.time.Instant;

/**
 * One row of the feed log: a change that makes a video appear in, change within, or leave a feed, with the
 * video's state after it. Whose feed holds it is {@code audience} (null: admins only); admins see every row
 * but {@link Kind#LEFT}, whose counterpart {@link Kind#ENTERED} tells them the same owner change.
 */
public record FeedChange(FeedCursor.Log cursor, String videoId, Kind kind, String audience, long version, String status,
        String previousStatus, String ownerId, String previousOwnerId, Instant occurredAt) {

    /** The kinds of rows, as the log stores them. */
    public enum Kind {
        CREATED("created"),
        STATUS("status"),
        DELETED("deleted"),
        ENTERED("entered"),
        LEFT("left");

        private final String stored;

        Kind(String stored) {
            this.stored = stored;
        }

        public String stored() {
            return stored;
        }

        static Kind of(String stored) {
            for (Kind kind : values()) {
                if (kind.stored.equals(stored)) {
                    return kind;
                }
            }
            throw new IllegalStateException("unknown feed change " + stored);
        }
    }

    static final String COLUMNS = "position, seq, video_id, change, audience, version, status, previous_status, owner_id,"
            + " previous_owner_id, occurred_at";

    /**
     * A row as read from a server on {@code timeline}; its cursor's anchor is the row itself (the last row a reader
     * passed is this one).
     */
    static FeedChange from(io.vertx.mutiny.sqlclient.Row row, int timeline) {
        long position = row.getLong("position");
        long seq = row.getLong("seq");
        String videoId = row.getString("video_id");
        Kind kind = Kind.of(row.getString("change"));
        long version = row.getLong("version");
        String status = row.getString("status");
        Instant occurredAt = Video.instant(row.getOffsetDateTime("occurred_at"));
        return new FeedChange(new FeedCursor.Log(position, seq, new FeedCursor.Anchor(position, seq,
                ChangeTag.ofFeedRow(position, seq, videoId, kind, version, status, occurredAt), timeline)), videoId, kind, row.getString("audience"), version, status, row.getString("previous_status"),
                row.getString("owner_id"), row.getString("previous_owner_id"), occurredAt);
    }

    /** True when a video leaves the reader's feed with this row (it is then no longer theirs to see). */
    public boolean removes() {
        return kind == Kind.DELETED || kind == Kind.LEFT;
    }
}

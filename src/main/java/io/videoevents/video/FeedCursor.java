package io.videoevents.video;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Where a feed reader stands, as the opaque text clients hand back to resume. Two kinds:
 * <ul>
 * <li>{@link Log}: after the feed log's row ({@code position}, {@code seq}); {@code c.<position>.<seq>…};</li>
 * <li>{@link Snapshot}: inside a snapshot taken at {@code position}, after the video {@code afterId} (ids are
 * listed in order); {@code s.<position>.<base64url id>…}. The snapshot ends at {@code Log(position, 0)}.</li>
 * </ul>
 * Both compare by (position, seq) with every other log position; see {@code V6__feed_log.sql} for the order.
 *
 * <p>After the place comes its {@link Anchor}: the server's timeline when the cursor was read ({@code epoch}), then
 * the last row of the reader's feed at or before the place, by tag and place ({@code .<tag>.<position>.<seq>}), or
 * {@code .-} when the feed had none there. A read compares it with what the database holds now, so that a reader
 * whose database failed over to a standby that lacked the last commits starts over from a snapshot instead of
 * continuing a history that no longer exists ({@code V8__feed_rows_witness_their_commit.sql}). Cursors written
 * before anchors existed have three parts and are read as before, with no anchor; they are not checked that way.
 */
public sealed interface FeedCursor {

    String RULE = "cursor must be one this service gave (from a feed message or page), unchanged";

    /** The cursor as clients see it. */
    String text();

    /** What the reader had passed, and on which timeline; null when the cursor carries none (written before anchors). */
    Anchor anchor();

    /**
     * The last row a reader passed, by place and {@link ChangeTag} (tag 0: it had passed none), and the timeline of the
     * server that the reader last read from ({@code epoch}).
     */
    record Anchor(long position, long seq, long tag, int epoch) {

        public Anchor {
            if (position < 0 || seq < 0 || epoch < 1) {
                throw new IllegalArgumentException(RULE);
            }
        }

        /** A reader on timeline {@code epoch} that had passed no row of its feed. */
        public static Anchor noRow(int epoch) {
            return new Anchor(0, 0, 0, epoch);
        }

        public boolean isNoRow() {
            return tag == 0;
        }

        /** The place of the row, to compare with other places of the log. */
        public Log place() {
            return new Log(position, seq);
        }

        /** The same row, as a reader on timeline {@code epoch} has checked it. */
        public Anchor readOn(int epoch) {
            return epoch == this.epoch ? this : new Anchor(position, seq, tag, epoch);
        }

        String text() {
            return "." + epoch + (isNoRow() ? ".-" : "." + ChangeTag.text(tag) + "." + position + "." + seq);
        }
    }

    /** A place in the feed log: everything up to and including ({@code position}, {@code seq}) was given. */
    record Log(long position, long seq, Anchor anchor) implements FeedCursor, Comparable<Log> {

        public Log {
            if (position < 0 || seq < 0) {
                throw new IllegalArgumentException(RULE);
            }
        }

        /** A place alone, with no anchor. */
        public Log(long position, long seq) {
            this(position, seq, null);
        }

        @Override
        public String text() {
            return "c." + position + "." + seq + (anchor == null ? "" : anchor.text());
        }

        /** Orders by place only; the anchor says what was there, not where. */
        @Override
        public int compareTo(Log other) {
            int byPosition = Long.compare(position, other.position);
            return byPosition != 0 ? byPosition : Long.compare(seq, other.seq);
        }

        public boolean isAfter(Log other) {
            return compareTo(other) > 0;
        }

        /** The later of the two. */
        public Log max(Log other) {
            return isAfter(other) ? this : other;
        }

        /** A later place ({@code position}, 0) the reader reached without passing another of its rows: the same anchor. */
        public Log movedTo(long position) {
            return new Log(position, 0, anchor);
        }

        /** The same place, as a reader on timeline {@code epoch} has checked it. */
        public Log readOn(int epoch) {
            return anchor == null ? this : new Log(position, seq, anchor.readOn(epoch));
        }
    }

    /** Inside a snapshot of the feed's videos taken at log position ({@code position}, 0); after {@code afterId} ("": from the start). */
    record Snapshot(long position, String afterId, Anchor anchor) implements FeedCursor {

        public Snapshot {
            if (position < 0 || afterId == null || (!afterId.isEmpty() && !VideoIds.isValid(afterId))) {
                throw new IllegalArgumentException(RULE);
            }
        }

        public Snapshot(long position, String afterId) {
            this(position, afterId, null);
        }

        @Override
        public String text() {
            return "s." + position + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(afterId.getBytes(StandardCharsets.UTF_8))
                    + (anchor == null ? "" : anchor.text());
        }

        /** Where the log continues once the snapshot is complete. */
        public Log end() {
            return new Log(position, 0, anchor);
        }
    }

    /** @throws IllegalArgumentException with {@link #RULE} unless {@code text} is a cursor of either kind */
    static FeedCursor parse(String text) {
        if (text == null || text.length() > 400) {
            throw new IllegalArgumentException(RULE);
        }
        String[] parts = text.split("\\.", -1);
        if (parts.length != 3 && parts.length != 5 && parts.length != 7) {
            throw new IllegalArgumentException(RULE);
        }
        long position = number(parts[1]);
        try {
            Anchor anchor = null;
            if (parts.length > 3) {
                long epoch = number(parts[3]);
                if (epoch > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException(RULE);
                }
                if (parts.length == 5) {
                    if (!parts[4].equals("-")) {
                        throw new IllegalArgumentException(RULE);
                    }
                    anchor = Anchor.noRow((int) epoch);
                } else {
                    anchor = new Anchor(number(parts[5]), number(parts[6]), ChangeTag.parse(parts[4]), (int) epoch);
                }
            }
            FeedCursor cursor = switch (parts[0]) {
                case "c" -> new Log(position, number(parts[2]), anchor);
                case "s" -> new Snapshot(position, new String(Base64.getUrlDecoder().decode(parts[2]), StandardCharsets.UTF_8), anchor);
                default -> throw new IllegalArgumentException(RULE);
            };
            // a reader's last row is at or before its place
            Log place = cursor instanceof Log log ? log : ((Snapshot) cursor).end();
            if (anchor != null && !anchor.isNoRow() && anchor.place().isAfter(place)) {
                throw new IllegalArgumentException(RULE);
            }
            return cursor;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(RULE);
        }
    }

    private static long number(String digits) {
        if (digits.isEmpty() || digits.length() > 18 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException(RULE);
        }
        return Long.parseLong(digits);
    }
}

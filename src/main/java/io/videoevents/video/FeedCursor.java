package io.videoevents.video;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Where a feed reader stands, as the opaque text clients hand back to resume. Two kinds:
 * <ul>
 * <li>{@link Log}: after the feed log's row ({@code position}, {@code seq}); {@code c.<position>.<seq>};</li>
 * <li>{@link Snapshot}: inside a snapshot taken at {@code position}, after the video {@code afterId} (ids are
 * listed in order); {@code s.<position>.<base64url id>}. The snapshot ends at {@code Log(position, 0)}.</li>
 * </ul>
 * Both compare by (position, seq) with every other log position; see {@code V6__feed_log.sql} for the order.
 */
public sealed interface FeedCursor {

    String RULE = "cursor must be one this service gave (from a feed message or page), unchanged";

    /** The cursor as clients see it. */
    String text();

    /** A place in the feed log: everything up to and including ({@code position}, {@code seq}) was given. */
    record Log(long position, long seq) implements FeedCursor, Comparable<Log> {

        public Log {
            if (position < 0 || seq < 0) {
                throw new IllegalArgumentException(RULE);
            }
        }

        @Override
        public String text() {
            return "c." + position + "." + seq;
        }

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
    }

    /** Inside a snapshot of the feed's videos taken at log position ({@code position}, 0); after {@code afterId} ("": from the start). */
    record Snapshot(long position, String afterId) implements FeedCursor {

        public Snapshot {
            if (position < 0 || afterId == null || (!afterId.isEmpty() && !VideoIds.isValid(afterId))) {
                throw new IllegalArgumentException(RULE);
            }
        }

        @Override
        public String text() {
            return "s." + position + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(afterId.getBytes(StandardCharsets.UTF_8));
        }

        /** Where the log continues once the snapshot is complete. */
        public Log end() {
            return new Log(position, 0);
        }
    }

    /** @throws IllegalArgumentException with {@link #RULE} unless {@code text} is a cursor of either kind */
    static FeedCursor parse(String text) {
        if (text == null || text.length() > 400) {
            throw new IllegalArgumentException(RULE);
        }
        String[] parts = text.split("\\.", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException(RULE);
        }
        long position = number(parts[1]);
        try {
            return switch (parts[0]) {
                case "c" -> new Log(position, number(parts[2]));
                case "s" -> new Snapshot(position, new String(Base64.getUrlDecoder().decode(parts[2]), StandardCharsets.UTF_8));
                default -> throw new IllegalArgumentException(RULE);
            };
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

package io.videoevents.video;

/**
 * Which videos a feed holds: every video ({@link #ALL}, for admins and when authentication is off) or those of
 * one owner. The same rule as watching one video: a video without an owner is for admins only.
 */
public record FeedScope(String ownerId) {

    public static final FeedScope ALL = new FeedScope(null);

    public static FeedScope of(String ownerId) {
        if (ownerId == null) {
            throw new IllegalArgumentException("an owner's feed needs the owner");
        }
        return new FeedScope(ownerId);
    }

    public boolean all() {
        return ownerId == null;
    }

    /** Whether a row of the feed log belongs to this feed. */
    public boolean holds(FeedChange change) {
        return all() ? change.kind() != FeedChange.Kind.LEFT : ownerId.equals(change.audience());
    }

    /** How clients see it: {@code all} or {@code owner}. */
    public String wire() {
        return all() ? "all" : "owner";
    }
}

package io.videoevents.video;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;

/**
 * A short fingerprint of one change, so that a client can prove which change it last saw and not only its number.
 * A database that fails over to a standby which lacked its last commits hands the same version numbers (and feed
 * positions) out again, for different changes; the tag of the change a client saw then differs from the tag of the
 * change the database now holds under that number, and the client is given a fresh snapshot instead of a
 * continuation of a history that no longer exists.
 *
 * <p>A tag is 48 bits of SHA-256 over the change's identity and content (for a status change: video, version,
 * status and the microsecond it was recorded, which the trigger takes from the clock), written as 8 characters of
 * base64url. It is a fingerprint, not a secret: a client that sends a wrong one only gets a snapshot it did not
 * need. In memory it is a {@code long}; 0 means "not known" (a client that sent none, a change the log no longer
 * holds), and no tag is ever 0.
 */
public final class ChangeTag {

    /** What a tag looks like on the wire. */
    public static final String RULE = "tag must be the tag of the last change you received, unchanged (8 characters)";
    public static final int LENGTH = 8;

    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    });

    private ChangeTag() {
    }

    /** The tag of a status change. */
    public static long of(StatusEvent event) {
        return ofStatus(event.videoId(), event.version(), event.status(), event.occurredAt());
    }

    /** The tag of the change that set {@code videoId} to {@code status} at {@code version}, recorded at {@code occurredAt}. */
    public static long ofStatus(String videoId, long version, String status, Instant occurredAt) {
        if (occurredAt == null) {
            return 0;
        }
        return hash("s\n" + videoId + '\n' + version + '\n' + status + '\n' + micros(occurredAt));
    }

    /** The tag of one row of the feed log, at ({@code position}, {@code seq}). */
    public static long ofFeedRow(long position, long seq, String videoId, FeedChange.Kind kind, long version, String status,
            Instant occurredAt) {
        return hash("f\n" + position + '\n' + seq + '\n' + videoId + '\n' + kind.stored() + '\n' + version + '\n' + status
                + '\n' + micros(occurredAt));
    }

    /** The tag as clients see it. */
    public static String text(long tag) {
        byte[] bytes = new byte[6];
        for (int i = 5; i >= 0; i--) {
            bytes[i] = (byte) tag;
            tag >>>= 8;
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The tag as clients see it, or null when it is not known. */
    public static String textOrNull(long tag) {
        return tag == 0 ? null : text(tag);
    }

    /** @throws IllegalArgumentException with {@link #RULE} unless {@code text} is a tag this service wrote */
    public static long parse(String text) {
        if (text == null || text.length() != LENGTH) {
            throw new IllegalArgumentException(RULE);
        }
        byte[] bytes;
        try {
            bytes = Base64.getUrlDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(RULE);
        }
        long tag = 0;
        for (byte b : bytes) {
            tag = (tag << 8) | (b & 0xff);
        }
        if (tag == 0 || !text(tag).equals(text)) {
            throw new IllegalArgumentException(RULE);
        }
        return tag;
    }

    private static long hash(String identity) {
        byte[] digest = SHA256.get().digest(identity.getBytes(StandardCharsets.UTF_8));
        long tag = 0;
        for (int i = 0; i < 6; i++) {
            tag = (tag << 8) | (digest[i] & 0xff);
        }
        return tag == 0 ? 1 : tag;
    }

    private static long micros(Instant at) {
        return at == null ? 0 : Math.addExact(Math.multiplyExact(at.getEpochSecond(), 1_000_000L), at.getNano() / 1000);
    }
}

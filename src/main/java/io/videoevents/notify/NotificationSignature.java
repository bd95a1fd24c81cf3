package io.videoevents.notify;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Tells a status notification the trigger sent from one anybody else sent. Any role that can connect may
 * NOTIFY any channel; only the trigger can read the key (table {@code video_events_signing_key}), and it
 * signs videoId, version, status, previousStatus and occurredAt (and the traceparent, when the worker set one)
 * with HMAC-SHA256, keeping the first 128 bits. Versions never repeat for an id (a deleted id's stream continues above its tombstone), so a
 * signed payload is the content of exactly one row of the log, for good.
 *
 * <p>Not thread-safe: the listener verifies one notification at a time.
 */
final class NotificationSignature {

    private static final int SIGNATURE_BYTES = 16;
    private static final HexFormat HEX = HexFormat.of();

    private final Mac mac;

    NotificationSignature(byte[] key) {
        try {
            mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /** True when {@code signature} (hex) is the trigger's signature of this content ({@code traceparent} null: none). */
    boolean verify(String videoId, long version, String status, String previousStatus, long occurredAtMicros, String traceparent,
            String signature) {
        if (signature == null || signature.length() != SIGNATURE_BYTES * 2) {
            return false;
        }
        byte[] given;
        try {
            given = HEX.parseHex(signature);
        } catch (IllegalArgumentException e) {
            return false;
        }
        byte[] expected = sign(videoId, version, status, previousStatus, occurredAtMicros, traceparent);
        return MessageDigest.isEqual(expected, given);
    }

    /** The first 128 bits of HMAC-SHA256 over the content, one field per line, as the trigger computes it. */
    byte[] sign(String videoId, long version, String status, String previousStatus, long occurredAtMicros, String traceparent) {
        String content = videoId + '\n' + version + '\n' + status + '\n' + (previousStatus == null ? "" : previousStatus) + '\n'
                + occurredAtMicros + (traceparent == null ? "" : "\n" + traceparent);
        byte[] full = mac.doFinal(content.getBytes(StandardCharsets.UTF_8));
        byte[] truncated = new byte[SIGNATURE_BYTES];
        System.arraycopy(full, 0, truncated, 0, SIGNATURE_BYTES);
        return truncated;
    }
}

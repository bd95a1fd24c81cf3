package io.videoevents.notify;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.videoevents.relay.HeartbeatKey;
import io.videoevents.relay.RelayHeartbeat;

/**
 * Tells a status notification the trigger sent from one anybody else sent. Any role that can connect may
 * NOTIFY any channel; only the trigger can read the key (table {@code video_events_signing_key}), and it
 * signs videoId, version, status, previousStatus and occurredAt (and the traceparent, when the worker set one)
 * with HMAC-SHA256, keeping the first 128 bits. Versions never repeat for an id (a deleted id's stream continues above its tombstone), so a
 * signed payload is the content of exactly one row of the log, for good.
 *
 * <p>The same key signs the relays' heartbeats in {@code nats} mode ({@link #signHeartbeat}); their content differs
 * from any status's in its second line, so a heartbeat's signature is never a status's.
 *
 * <p>Not thread-safe: the listener verifies one notification at a time, and a relay or a replica keeps an instance
 * of its own for heartbeats, used under its own lock.
 */
final class NotificationSignature implements HeartbeatKey {

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
        return signature != null && signature.length() == SIGNATURE_BYTES * 2
                && matches(signature, sign(videoId, version, status, previousStatus, occurredAtMicros, traceparent));
    }

    /** A relay's signature (hex) of its heartbeat: who, which LISTEN generation, whether it is up, and when. */
    @Override
    public String signHeartbeat(String relay, long generation, boolean listening, long atMillis) {
        return HEX.formatHex(truncated(heartbeatContent(relay, generation, listening, atMillis)));
    }

    /** True when the heartbeat carries its relay's signature of exactly these fields. */
    @Override
    public boolean verifyHeartbeat(RelayHeartbeat heartbeat) {
        String signature = heartbeat.sig();
        return signature != null && signature.length() == SIGNATURE_BYTES * 2 && matches(signature, truncated(
                heartbeatContent(heartbeat.relay(), heartbeat.generation(), heartbeat.listening(), heartbeat.at())));
    }

    /** Whether the hex {@code signature} is {@code expected}, compared in constant time. */
    private static boolean matches(String signature, byte[] expected) {
        try {
            return MessageDigest.isEqual(expected, HEX.parseHex(signature));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String heartbeatContent(String relay, long generation, boolean listening, long atMillis) {
        // the second line is never a number, as a status's version always is: no heartbeat content is a status content
        return "#heartbeat\nrelay:" + relay + '\n' + generation + '\n' + listening + '\n' + atMillis;
    }

    /** The first 128 bits of HMAC-SHA256 over the content, one field per line, as the trigger computes it. */
    byte[] sign(String videoId, long version, String status, String previousStatus, long occurredAtMicros, String traceparent) {
        String content = videoId + '\n' + version + '\n' + status + '\n' + (previousStatus == null ? "" : previousStatus) + '\n'
                + occurredAtMicros + (traceparent == null ? "" : "\n" + traceparent);
        return truncated(content);
    }

    private byte[] truncated(String content) {
        byte[] full = mac.doFinal(content.getBytes(StandardCharsets.UTF_8));
        byte[] truncated = new byte[SIGNATURE_BYTES];
        System.arraycopy(full, 0, truncated, 0, SIGNATURE_BYTES);
        return truncated;
    }
}

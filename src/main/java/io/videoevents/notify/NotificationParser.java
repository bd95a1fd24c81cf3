package io.videoevents.notify;

import java.time.Instant;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import io.videoevents.video.StatusEvent;

/**
 * Reads the triggers' NOTIFY payloads with a streaming parser (no tree, no reflection):
 * <ul>
 * <li>a status event: {@code {"videoId":…,"version":…,"status":…,"previousStatus":…,"occurredAt":µs,"sig":…}}, with a
 * {@code "traceparent"} when the worker's transaction set one;</li>
 * <li>a doorbell: {@code {"kind":"deleted"|"access","videoId":…}}.</li>
 * </ul>
 * It checks shape only; whether a status event really comes from the trigger is {@link NotificationSignature}'s call.
 */
final class NotificationParser {

    private static final JsonFactory JSON = new JsonFactory();

    private NotificationParser() {
    }

    /** What a payload says, before anyone trusts it. */
    sealed interface Parsed {
    }

    /**
     * A status event with the signature it came with (null if none), its commit time in µs as signed, and the W3C
     * traceparent the worker's transaction gave it (null if none; signed with the rest).
     */
    record Status(StatusEvent event, long occurredAtMicros, String signature, String traceparent) implements Parsed {
    }

    /** A doorbell: the row of {@code videoId} was deleted. */
    record Deleted(String videoId) implements Parsed {
    }

    /** A doorbell: the owner of {@code videoId} changed. */
    record AccessChanged(String videoId) implements Parsed {
    }

    /** @throws IllegalArgumentException when the payload is none of the shapes above */
    static Parsed parse(String payload) {
        String kind = null;
        String videoId = null;
        String status = null;
        String previousStatus = null;
        String signature = null;
        String traceparent = null;
        long version = -1;
        long occurredAtMicros = Long.MIN_VALUE;
        try (JsonParser p = JSON.createParser(payload)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "kind" -> kind = text(p, value);
                    case "videoId" -> videoId = text(p, value);
                    case "status" -> status = text(p, value);
                    case "previousStatus" -> previousStatus = value == JsonToken.VALUE_NULL ? null : text(p, value);
                    case "version" -> version = number(p, value);
                    case "occurredAt" -> occurredAtMicros = number(p, value);
                    case "sig" -> signature = value == JsonToken.VALUE_NULL ? null : text(p, value);
                    case "traceparent" -> traceparent = value == JsonToken.VALUE_NULL ? null : text(p, value);
                    default -> p.skipChildren();
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw new IllegalArgumentException("trailing content after the object");
            }
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("malformed JSON: " + e.getClass().getSimpleName());
        }
        if (videoId == null) {
            throw new IllegalArgumentException("missing videoId");
        }
        if (kind != null) {
            return switch (kind) {
                case "deleted" -> new Deleted(videoId);
                case "access" -> new AccessChanged(videoId);
                case "status" -> status(videoId, version, status, previousStatus, occurredAtMicros, signature, traceparent);
                default -> throw new IllegalArgumentException("unknown kind " + kind);
            };
        }
        return status(videoId, version, status, previousStatus, occurredAtMicros, signature, traceparent);
    }

    private static Status status(String videoId, long version, String status, String previousStatus, long occurredAtMicros,
            String signature, String traceparent) {
        if (status == null || version < 1 || occurredAtMicros == Long.MIN_VALUE) {
            throw new IllegalArgumentException("missing status, version or occurredAt");
        }
        Instant occurredAt = Instant.ofEpochSecond(Math.floorDiv(occurredAtMicros, 1_000_000L),
                Math.floorMod(occurredAtMicros, 1_000_000L) * 1_000L);
        return new Status(new StatusEvent(videoId, version, status, previousStatus, occurredAt), occurredAtMicros, signature,
                traceparent);
    }

    private static String text(JsonParser p, JsonToken token) throws java.io.IOException {
        if (token != JsonToken.VALUE_STRING) {
            throw new IllegalArgumentException("expected a string for " + p.currentName());
        }
        return p.getText();
    }

    private static long number(JsonParser p, JsonToken token) throws java.io.IOException {
        if (token != JsonToken.VALUE_NUMBER_INT) {
            throw new IllegalArgumentException("expected an integer for " + p.currentName());
        }
        return p.getLongValue();
    }
}

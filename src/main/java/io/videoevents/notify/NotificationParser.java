package io.videoevents.notify;

import java.time.Instant;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import io.videoevents.video.StatusEvent;

/**
 * Reads the trigger's NOTIFY payload, {@code {"videoId":…,"version":…,"status":…,"previousStatus":…,"occurredAt":µs}},
 * with a streaming parser: no tree, no reflection, one small record per notification.
 */
final class NotificationParser {

    private static final JsonFactory JSON = new JsonFactory();

    private NotificationParser() {
    }

    /** @throws IllegalArgumentException when the payload is not a complete status event */
    static StatusEvent parse(String payload) {
        String videoId = null;
        String status = null;
        String previousStatus = null;
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
                    case "videoId" -> videoId = text(p, value);
                    case "status" -> status = text(p, value);
                    case "previousStatus" -> previousStatus = value == JsonToken.VALUE_NULL ? null : text(p, value);
                    case "version" -> version = number(p, value);
                    case "occurredAt" -> occurredAtMicros = number(p, value);
                    default -> p.skipChildren();
                }
            }
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("malformed JSON: " + e.getClass().getSimpleName());
        }
        if (videoId == null || status == null || version < 1 || occurredAtMicros == Long.MIN_VALUE) {
            throw new IllegalArgumentException("missing videoId, status, version or occurredAt");
        }
        Instant occurredAt = Instant.ofEpochSecond(Math.floorDiv(occurredAtMicros, 1_000_000L),
                Math.floorMod(occurredAtMicros, 1_000_000L) * 1_000L);
        return new StatusEvent(videoId, version, status, previousStatus, occurredAt);
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

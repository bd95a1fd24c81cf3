package io.videoevents.socket;

import java.util.OptionalLong;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.videoevents.video.VideoIds;

/**
 * A client's message on {@code /events}, read and checked. Anything that is not one of the documented
 * shapes becomes an {@link Invalid} carrying the reason the client is told.
 */
sealed interface ClientMessage {

    record Subscribe(String videoId, OptionalLong after) implements ClientMessage {
    }

    record Unsubscribe(String videoId) implements ClientMessage {
    }

    /** A token for this socket; {@link #toString()} never shows it. */
    record Auth(String token) implements ClientMessage {
        @Override
        public String toString() {
            return "Auth[token=…]";
        }
    }

    /** Not a valid message; {@code videoId} is the one it named, if readable. */
    record Invalid(String reason, String videoId) implements ClientMessage {
    }

    static ClientMessage parse(String text, ObjectMapper json) {
        if (text.isBlank()) {
            return new Invalid("a message must be a JSON object", null);
        }
        JsonNode node;
        try {
            // one JSON object per frame: anything after it makes the frame malformed
            node = json.readerFor(JsonNode.class).with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readValue(text);
        } catch (JsonProcessingException | RuntimeException e) {
            return new Invalid("malformed JSON", null);
        }
        if (node == null || !node.isObject()) {
            return new Invalid("a message must be a JSON object", null);
        }
        JsonNode type = node.get("type");
        if (type == null || !type.isTextual()) {
            return new Invalid("type is required: subscribe, unsubscribe or auth", null);
        }
        JsonNode id = node.get("videoId");
        String videoId = id != null && id.isTextual() && VideoIds.isValid(id.textValue()) ? id.textValue() : null;
        switch (type.textValue()) {
            case "subscribe": {
                if (videoId == null) {
                    return new Invalid("videoId must be " + VideoIds.RULE, null);
                }
                JsonNode after = node.get("after");
                if (after == null || after.isNull()) {
                    return new Subscribe(videoId, OptionalLong.empty());
                }
                if (!after.isIntegralNumber() || !after.canConvertToLong() || after.longValue() < 0) {
                    return new Invalid("after must be a non-negative integer (the last version you received)", videoId);
                }
                return new Subscribe(videoId, OptionalLong.of(after.longValue()));
            }
            case "unsubscribe": {
                if (videoId == null) {
                    return new Invalid("videoId must be " + VideoIds.RULE, null);
                }
                return new Unsubscribe(videoId);
            }
            case "auth": {
                JsonNode token = node.get("token");
                if (token == null || !token.isTextual() || token.textValue().isBlank()) {
                    return new Invalid("auth needs a token (a JWT as a string)", null);
                }
                return new Auth(token.textValue());
            }
            default:
                return new Invalid("unknown type: expected subscribe, unsubscribe or auth", null);
        }
    }
}

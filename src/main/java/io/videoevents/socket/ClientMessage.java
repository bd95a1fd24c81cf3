package io.videoevents.socket;

import java.util.Optional;
import java.util.OptionalLong;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.videoevents.video.ChangeTag;
import io.videoevents.video.FeedCursor;
import io.videoevents.video.VideoIds;

/**
 * A client's message on {@code /events}, read and checked. Anything that is not one of the documented
 * shapes becomes an {@link Invalid} carrying the reason the client is told.
 */
sealed interface ClientMessage {

    String TYPES = "subscribe, unsubscribe, subscribeFeed, unsubscribeFeed or auth";

    /** {@code tag}: the tag of the change at {@code after} the client received (0: it sent none). */
    record Subscribe(String videoId, OptionalLong after, long tag) implements ClientMessage {
        Subscribe(String videoId, OptionalLong after) {
            this(videoId, after, 0);
        }
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

    /** The feed: every video the caller may watch; {@code cursor} resumes where a feed message left off. */
    record SubscribeFeed(Optional<FeedCursor> cursor) implements ClientMessage {
    }

    record UnsubscribeFeed() implements ClientMessage {
    }

    /** Not a valid message; {@code videoId} is the one it named, if readable; {@code feed} when it was about the feed. */
    record Invalid(String reason, String videoId, boolean feed) implements ClientMessage {
        Invalid(String reason, String videoId) {
            this(reason, videoId, false);
        }
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
            return new Invalid("type is required: " + TYPES, null);
        }
        JsonNode id = node.get("videoId");
        String videoId = id != null && id.isTextual() && VideoIds.isValid(id.textValue()) ? id.textValue() : null;
        switch (type.textValue()) {
            case "subscribe": {
                if (videoId == null) {
                    return new Invalid("videoId must be " + VideoIds.RULE, null);
                }
                JsonNode after = node.get("after");
                JsonNode tag = node.get("tag");
                boolean tagged = tag != null && !tag.isNull();
                if (after == null || after.isNull()) {
                    return tagged ? new Invalid("tag goes with after: the tag of the change at that version", videoId)
                            : new Subscribe(videoId, OptionalLong.empty());
                }
                if (!after.isIntegralNumber() || !after.canConvertToLong() || after.longValue() < 0) {
                    return new Invalid("after must be a non-negative integer (the last version you received)", videoId);
                }
                if (!tagged) {
                    return new Subscribe(videoId, OptionalLong.of(after.longValue()));
                }
                try {
                    if (!tag.isTextual()) {
                        throw new IllegalArgumentException(ChangeTag.RULE);
                    }
                    return new Subscribe(videoId, OptionalLong.of(after.longValue()), ChangeTag.parse(tag.textValue()));
                } catch (IllegalArgumentException e) {
                    return new Invalid(ChangeTag.RULE, videoId);
                }
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
            case "subscribeFeed": {
                JsonNode cursor = node.get("cursor");
                if (cursor == null || cursor.isNull()) {
                    return new SubscribeFeed(Optional.empty());
                }
                try {
                    if (!cursor.isTextual()) {
                        throw new IllegalArgumentException(FeedCursor.RULE);
                    }
                    return new SubscribeFeed(Optional.of(FeedCursor.parse(cursor.textValue())));
                } catch (IllegalArgumentException e) {
                    return new Invalid(FeedCursor.RULE, null, true);
                }
            }
            case "unsubscribeFeed":
                return new UnsubscribeFeed();
            default:
                return new Invalid("unknown type: expected " + TYPES, null);
        }
    }
}

package io.videoevents.socket;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.videoevents.video.StatusEvent;
import io.videoevents.video.VideoState;

/** Turns server messages into the text of a frame. A live event is encoded here once and shared by all its subscribers. */
@ApplicationScoped
class Frames {

    private final ObjectMapper json;

    Frames(ObjectMapper json) {
        this.json = json;
    }

    EventFrame status(StatusEvent e) {
        return new EventFrame(e.version(),
                encode(new ServerMessage.Status(e.videoId(), e.version(), e.status(), e.previousStatus(), e.occurredAt())),
                e.occurredAt() == null ? 0 : e.occurredAt().toEpochMilli());
    }

    String snapshot(VideoState state, boolean resync) {
        return encode(new ServerMessage.Snapshot(state.videoId(), state.version(), state.status(), state.updatedAt(),
                resync ? Boolean.TRUE : null));
    }

    String deleted(String videoId) {
        return encode(new ServerMessage.Deleted(videoId));
    }

    String subscribed(String videoId) {
        return encode(new ServerMessage.Subscribed(videoId));
    }

    String unsubscribed(String videoId) {
        return encode(new ServerMessage.Unsubscribed(videoId));
    }

    String error(String code, String message, String videoId) {
        return encode(new ServerMessage.Error(code, message, videoId));
    }

    private String encode(ServerMessage message) {
        try {
            return json.writeValueAsString(message);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + message.getClass().getSimpleName(), e);
        }
    }

    /** A status event's version with its encoded frame, and when it was committed (epoch ms, database clock). */
    record EventFrame(long version, String text, long occurredAtMillis) {
    }
}

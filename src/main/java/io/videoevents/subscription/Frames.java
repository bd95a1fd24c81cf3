package io.videoevents.subscription;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.videoevents.video.FeedChange;
import io.videoevents.video.ChangeTag;
import io.videoevents.video.FeedCursor;
import io.videoevents.video.FeedEntry;
import io.videoevents.video.FeedScope;
import io.videoevents.video.FeedVideo;
import io.videoevents.video.StatusEvent;
import io.videoevents.video.VideoState;

/** Turns server messages into the text of a frame. A live event is encoded here once and shared by all its subscribers. */
@ApplicationScoped
public class Frames {

    private final ObjectMapper json;

    Frames(ObjectMapper json) {
        this.json = json;
    }

    EventFrame status(StatusEvent e) {
        long tag = ChangeTag.of(e);
        return new EventFrame(e.version(), tag,
                encode(new ServerMessage.Status(e.videoId(), e.version(), e.status(), e.previousStatus(), e.occurredAt(),
                        ChangeTag.textOrNull(tag))),
                e.occurredAt() == null ? 0 : e.occurredAt().toEpochMilli());
    }

    public String snapshot(VideoState state, boolean resync) {
        return encode(new ServerMessage.Snapshot(state.videoId(), state.version(), state.status(), state.updatedAt(),
                resync ? Boolean.TRUE : null, ChangeTag.textOrNull(state.tag())));
    }

    public String deleted(String videoId) {
        return encode(new ServerMessage.Deleted(videoId));
    }

    public String subscribed(String videoId) {
        return encode(new ServerMessage.Subscribed(videoId));
    }

    public String unsubscribed(String videoId) {
        return encode(new ServerMessage.Unsubscribed(videoId));
    }

    public String error(String code, String message, String videoId) {
        return encode(new ServerMessage.Error(code, message, videoId));
    }

    public String feedError(String code, String message) {
        return encode(new ServerMessage.Error(code, message, null, Boolean.TRUE));
    }

    public String feedSubscribed(FeedScope scope) {
        return encode(new ServerMessage.FeedSubscribed(scope.wire(), scope.ownerId()));
    }

    public String feedUnsubscribed() {
        return encode(new ServerMessage.FeedUnsubscribed());
    }

    public String feedSnapshot(List<FeedVideo> videos, boolean complete, boolean resync, FeedCursor cursor) {
        return encode(new ServerMessage.FeedSnapshot(videos, complete, resync ? Boolean.TRUE : null, cursor.text()));
    }

    /** A row of the feed log as a feed of all videos ({@code all}) or an owner's feed shows it. */
    public String feedChange(FeedChange change, boolean all) {
        FeedEntry e = FeedEntry.of(change, all);
        return encode(new ServerMessage.FeedChange(e.change(), e.videoId(), e.version(), e.status(), e.previousStatus(),
                e.ownerId(), e.previousOwnerId(), e.occurredAt(), e.cursor()));
    }

    private String encode(ServerMessage message) {
        try {
            return json.writeValueAsString(message);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + message.getClass().getSimpleName(), e);
        }
    }

    /**
     * A status event's version and {@link ChangeTag} with its encoded frame, and when it was committed (epoch ms,
     * database clock).
     */
    record EventFrame(long version, long tag, String text, long occurredAtMillis) {
    }
}

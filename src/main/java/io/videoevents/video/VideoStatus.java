package io.videoevents.video;

import java.util.Arrays;
import java.util.Optional;

import com.fasterxml.jackson.annotation.JsonValue;

/** The values {@code videos.processing_status} may hold; the database enforces the same list. */
public enum VideoStatus {
    PENDING("pending"),
    PROCESSING("processing"),
    PROCESSED("processed"),
    FAILED("failed");

    private final String wire;

    VideoStatus(String wire) {
        this.wire = wire;
    }

    /** The lower-case word used in SQL, JSON and the NOTIFY payload. */
    @JsonValue
    public String wire() {
        return wire;
    }

    public static Optional<VideoStatus> fromWire(String value) {
        return Arrays.stream(values()).filter(s -> s.wire.equals(value)).findFirst();
    }

    public static String allowed() {
        return String.join(", ", Arrays.stream(values()).map(VideoStatus::wire).toList());
    }
}

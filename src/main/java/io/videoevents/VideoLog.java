package io.videoevents;

import java.util.logging.Level;

import org.jboss.logmanager.ExtLogRecord;
import org.jboss.logmanager.Logger;

/**
 * Log lines about one video carry its id as a field of their own, {@value #VIDEO_ID}, beside the message: in the
 * JSON log of the prod profile it is {@code mdc.videoId}, where tracing puts {@code traceId} and {@code spanId}
 * too, so one video's lines are found with a filter rather than by searching messages.
 *
 * <p>The id goes into the log record's own copy of the MDC, which starts as a copy of the current MDC (so a trace
 * id there stays), never into the MDC itself: on an event loop that serves many videos at once, an MDC entry
 * would have to be set and removed around every line, and Quarkus keeps the MDC of Vert.x threads in duplicated
 * contexts, which the event loops here do not run in. A record is only built when its level is enabled, so a
 * disabled line costs one level check, as with {@code io.quarkus.logging.Log}.
 */
public final class VideoLog {

    /** The name of the field, in the MDC of the record. */
    public static final String VIDEO_ID = "videoId";

    /** The field OpenTelemetry's MDC uses for the trace id; set from a change's traceparent when no span is current. */
    public static final String TRACE_ID = "traceId";

    private final Logger logger;

    private VideoLog(Logger logger) {
        this.logger = logger;
    }

    /** Lines in the category of {@code owner}, as {@code Log} would write them from that class. */
    public static VideoLog of(Class<?> owner) {
        return new VideoLog(Logger.getLogger(owner.getName()));
    }

    public void warnf(String videoId, String format, Object... parameters) {
        log(org.jboss.logmanager.Level.WARN, videoId, null, format, parameters);
    }

    public void errorf(String videoId, Throwable thrown, String format, Object... parameters) {
        log(org.jboss.logmanager.Level.ERROR, videoId, thrown, format, parameters);
    }

    public void debugf(String videoId, String format, Object... parameters) {
        log(org.jboss.logmanager.Level.DEBUG, videoId, null, format, parameters);
    }

    public void debugf(String videoId, Throwable thrown, String format, Object... parameters) {
        log(org.jboss.logmanager.Level.DEBUG, videoId, thrown, format, parameters);
    }

    /** Whether DEBUG lines are written: check it before building a line's parameters on a hot path. */
    public boolean debugEnabled() {
        return logger.isLoggable(org.jboss.logmanager.Level.DEBUG);
    }

    /**
     * A DEBUG line about one change: its video's id and, from the W3C {@code traceparent} the worker's transaction gave
     * it, its trace id, so the line is found beside the worker's own lines and spans even with tracing off.
     */
    public void debugChange(String videoId, String traceparent, String format, Object... parameters) {
        log(org.jboss.logmanager.Level.DEBUG, videoId, traceparent, null, format, parameters);
    }

    private void log(Level level, String videoId, Throwable thrown, String format, Object[] parameters) {
        log(level, videoId, null, thrown, format, parameters);
    }

    private void log(Level level, String videoId, String traceparent, Throwable thrown, String format, Object[] parameters) {
        if (!logger.isLoggable(level)) {
            return;
        }
        // the class name tells the log manager which stack frames are ours, so a line names its real caller
        ExtLogRecord record = new ExtLogRecord(level, format, ExtLogRecord.FormatStyle.PRINTF, VideoLog.class.getName());
        record.setParameters(parameters);
        record.setThrown(thrown);
        if (videoId != null) {
            record.putMdc(VIDEO_ID, videoId);
        }
        // version-traceid-parentid-flags; a current span's own trace id, if any, stays as it is
        if (traceparent != null && traceparent.length() == 55 && record.getMdc(TRACE_ID) == null) {
            record.putMdc(TRACE_ID, traceparent.substring(3, 35));
        }
        logger.log(record);
    }
}

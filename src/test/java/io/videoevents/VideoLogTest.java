package io.videoevents;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;

import org.jboss.logmanager.ExtLogRecord;
import org.jboss.logmanager.Level;
import org.jboss.logmanager.Logger;
import org.jboss.logmanager.MDC;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A line about one video carries the id in its record's MDC, beside what the MDC already held (a trace id), without
 * touching the MDC itself; a line whose level is off is never built.
 */
class VideoLogTest {

    static final String CATEGORY = VideoLogTest.class.getName();

    final List<ExtLogRecord> records = new ArrayList<>();
    final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            ExtLogRecord ext = (ExtLogRecord) record;
            // as a handler that hands records to another thread does: the caller is found while the call is on the stack
            ext.copyAll();
            records.add(ext);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    final Logger logger = Logger.getLogger(CATEGORY);
    final VideoLog log = VideoLog.of(VideoLogTest.class);

    @BeforeEach
    void listen() {
        logger.addHandler(capture);
        logger.setLevel(Level.DEBUG);
    }

    @AfterEach
    void stopListening() {
        logger.removeHandler(capture);
        logger.setLevel(null);
        MDC.remove("traceId");
    }

    @Test
    void aLineAboutAVideoCarriesItsId() {
        IllegalStateException failure = new IllegalStateException("read failed");
        log.warnf("v-1", "video %s: the database could not be read for socket %s", "v-1", "s-7");
        log.debugf("v-2", failure, "video %s: a read failed", "v-2");

        assertThat(records).hasSize(2);
        ExtLogRecord warning = records.get(0);
        assertThat(warning.getLevel()).isEqualTo(Level.WARN);
        assertThat(warning.getLoggerName()).isEqualTo(CATEGORY);
        assertThat(warning.getFormattedMessage()).isEqualTo("video v-1: the database could not be read for socket s-7");
        assertThat(warning.getMdc(VideoLog.VIDEO_ID)).isEqualTo("v-1");
        // the line names its real caller, not the helper
        assertThat(warning.getSourceClassName()).isEqualTo(CATEGORY);
        assertThat(records.get(1).getMdc(VideoLog.VIDEO_ID)).isEqualTo("v-2");
        assertThat(records.get(1).getThrown()).isSameAs(failure);
    }

    @Test
    void theMdcAroundTheLineStaysAsItWas() {
        MDC.put("traceId", "4bf92f3577b34da6a3ce929d0e0e4736");
        log.warnf("v-3", "video %s", "v-3");

        assertThat(records).singleElement().satisfies(record -> {
            assertThat(record.getMdc("traceId")).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
            assertThat(record.getMdc(VideoLog.VIDEO_ID)).isEqualTo("v-3");
        });
        assertThat(MDC.get(VideoLog.VIDEO_ID)).isNull();
        assertThat(MDC.get("traceId")).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    }

    @Test
    void aLineWhoseLevelIsOffIsNeitherLoggedNorFormatted() {
        logger.setLevel(Level.INFO);
        Object neverFormatted = new Object() {
            @Override
            public String toString() {
                throw new AssertionError("formatted although DEBUG is off");
            }
        };
        log.debugf("v-4", "video %s: %s", "v-4", neverFormatted);

        assertThat(records).isEmpty();
    }

    @Test
    void aLineAboutNoVideoInParticularHasNoField() {
        log.errorf(null, new IllegalStateException(), "unexpected failure on %s", "/videos");

        assertThat(records).singleElement().satisfies(record -> assertThat(record.getMdc(VideoLog.VIDEO_ID)).isNull());
    }

    @Test
    void aLineAboutATracedChangeCarriesTheTraceIdOfItsTraceparentUnlessASpanIsCurrent() {
        log.debugChange("v-1", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "change %d", 2);
        log.debugChange("v-2", null, "change %d", 3);
        MDC.put("traceId", "11111111111111111111111111111111");
        log.debugChange("v-3", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "change %d", 4);

        assertThat(records).hasSize(3);
        assertThat(records.get(0).getMdc("traceId")).isEqualTo("0af7651916cd43dd8448eb211c80319c");
        assertThat(records.get(0).getMdc(VideoLog.VIDEO_ID)).isEqualTo("v-1");
        assertThat(records.get(1).getMdc("traceId")).isNull();
        assertThat(records.get(2).getMdc("traceId")).as("the current span's trace wins").isEqualTo("11111111111111111111111111111111");
        assertThat(log.debugEnabled()).isTrue();
        logger.setLevel(Level.INFO);
        assertThat(log.debugEnabled()).isFalse();
    }
}

package io.videoevents.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.SocketException;
import java.nio.channels.ClosedChannelException;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.jboss.logmanager.Level;
import org.junit.jupiter.api.Test;

/**
 * A client's reset or dropped connection, as the network layers report it, is DEBUG; everything else,
 * the service's own errors included, passes the filter unchanged.
 */
class RoutineNetworkFailuresTest {

    private static final String VERTX = "io.vertx.core.net.impl.ConnectionBase";
    private static final String NETTY = "io.netty.channel.DefaultChannelPipeline";
    private static final String TAIL = "An exceptionCaught() event was fired, and it reached at the tail of the pipeline.";

    private final RoutineNetworkFailures filter = new RoutineNetworkFailures();

    private static LogRecord record(java.util.logging.Level level, String category, String message, Throwable thrown) {
        LogRecord record = new LogRecord(level, message);
        record.setLoggerName(category);
        record.setThrown(thrown);
        return record;
    }

    @Test
    void aResetReportedByVertxWithoutDetailIsDebug() {
        LogRecord record = record(Level.ERROR, VERTX, "Connection reset", null);
        assertThat(filter.isLoggable(record)).isFalse();
        assertThat(record.getLevel()).isEqualTo(Level.DEBUG);
    }

    @Test
    void everyPeerFailureOfTheNetworkLayersIsDebug() {
        for (Throwable failure : new Throwable[] { new SocketException("Connection reset"),
                new IOException("recvAddress(..) failed: Connection reset by peer"),
                new IOException("writevAddresses(..) failed: Broken pipe"), new IOException("Broken pipe"),
                new IOException("Connection timed out"), new ClosedChannelException(),
                new RuntimeException("wrapped", new SocketException("Connection reset")) }) {
            for (String category : new String[] { VERTX, NETTY }) {
                LogRecord record = record(category.equals(NETTY) ? Level.WARN : Level.ERROR, category,
                        category.equals(NETTY) ? TAIL : failure.getMessage(), failure);
                assertThat(filter.isLoggable(record)).as("%s from %s", failure, category).isFalse();
                assertThat(record.getLevel()).isEqualTo(Level.DEBUG);
            }
        }
    }

    @Test
    void withDebugOnForTheCategoryTheLineIsKeptAtDebug() {
        Logger logger = Logger.getLogger(NETTY);
        java.util.logging.Level before = logger.getLevel();
        logger.setLevel(Level.DEBUG);
        try {
            LogRecord record = record(Level.WARN, NETTY, TAIL, new SocketException("Connection reset"));
            assertThat(filter.isLoggable(record)).isTrue();
            assertThat(record.getLevel()).isEqualTo(Level.DEBUG);
        } finally {
            logger.setLevel(before);
        }
    }

    @Test
    void otherFailuresOfTheNetworkLayersStayAsTheyAre() {
        for (Throwable failure : new Throwable[] { new IOException("Too many open files"),
                new IllegalStateException("Connection reset"), new OutOfMemoryError("Direct buffer memory"),
                new javax.net.ssl.SSLHandshakeException("no cipher suites in common") }) {
            LogRecord record = record(Level.ERROR, VERTX, failure.getMessage(), failure);
            assertThat(filter.isLoggable(record)).as("%s", failure).isTrue();
            assertThat(record.getLevel()).isEqualTo(Level.ERROR);
        }
        LogRecord withoutDetail = record(Level.ERROR, VERTX, "Too many open files", null);
        assertThat(filter.isLoggable(withoutDetail)).isTrue();
        assertThat(withoutDetail.getLevel()).isEqualTo(Level.ERROR);
    }

    /** What Vert.x reports when a client resets a socket in the instant after its upgrade. */
    private static IllegalStateException closedDuringSetUp(String setUpClass) {
        IllegalStateException failure = new IllegalStateException("WebSocket is closed");
        failure.setStackTrace(new StackTraceElement[] {
                new StackTraceElement("io.vertx.core.http.impl.WebSocketImplBase", "checkClosed", null, 469),
                new StackTraceElement(setUpClass, "textMessageHandler", null, 362),
                new StackTraceElement(setUpClass, "initialize", null, 128) });
        return failure;
    }

    @Test
    void aSocketResetBeforeItsSetUpIsDebug() {
        LogRecord record = record(Level.ERROR, RoutineNetworkFailures.UNCAUGHT, "Uncaught exception received by Vert.x",
                closedDuringSetUp("io.quarkus.websockets.next.runtime.Endpoints"));
        assertThat(filter.isLoggable(record)).isFalse();
        assertThat(record.getLevel()).isEqualTo(Level.DEBUG);
    }

    @Test
    void otherUncaughtFailuresStayErrors() {
        for (Throwable failure : new Throwable[] { closedDuringSetUp("io.videoevents.socket.Clients"),
                new IllegalStateException("WebSocket is closed"), new NullPointerException(),
                new SocketException("Connection reset") }) {
            LogRecord record = record(Level.ERROR, RoutineNetworkFailures.UNCAUGHT, "Uncaught exception received by Vert.x",
                    failure);
            assertThat(filter.isLoggable(record)).as("%s", failure).isTrue();
            assertThat(record.getLevel()).isEqualTo(Level.ERROR);
        }
    }

    @Test
    void theServicesOwnRecordsAreNeverTouched() {
        for (String category : new String[] { "io.videoevents.socket.Clients", "io.videoevents.notify.StatusListener",
                "io.vertx.pgclient.impl.PgSocketConnection", "io.netty.channel.ChannelOutboundBuffer" }) {
            LogRecord record = record(Level.ERROR, category, "Connection reset", new SocketException("Connection reset"));
            assertThat(filter.isLoggable(record)).as(category).isTrue();
            assertThat(record.getLevel()).isEqualTo(Level.ERROR);
        }
    }

    @Test
    void lowerLevelsPassAsTheyAre() {
        LogRecord record = record(Level.INFO, VERTX, "Connection reset", null);
        assertThat(filter.isLoggable(record)).isTrue();
        assertThat(record.getLevel()).isEqualTo(Level.INFO);
    }
}

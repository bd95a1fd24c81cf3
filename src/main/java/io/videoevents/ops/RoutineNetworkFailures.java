package io.videoevents.ops;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.logging.Filter;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.jboss.logmanager.Level;

import io.quarkus.logging.LoggingFilter;

/**
 * A client that resets or drops its connection is routine, yet the layers below the service report it
 * as a fault: Netty warns that an exception reached the end of its pipeline when a client resets a
 * connection before its first request is complete; Vert.x logs an error for a failure on a connection
 * that has no handler of its own; and when a client resets a socket in the instant after its upgrade,
 * WebSockets Next fails to set up the already closed socket and Vert.x logs that as an uncaught error.
 * This filter, on the log handlers ({@code quarkus.log.console.filter}), turns exactly those records
 * into DEBUG: only from those categories, and only for failures a peer causes (reset, broken pipe,
 * timed out, channel closed, a socket closed before its set-up). Every other record passes unchanged,
 * so the service's own errors, and any other failure those layers report, stay as loud as they were.
 */
@LoggingFilter(name = RoutineNetworkFailures.NAME)
public final class RoutineNetworkFailures implements Filter {

    static final String NAME = "routine-network-failures";

    /** Where the network layers report failures of connections nobody else handles. */
    static final Set<String> CATEGORIES = Set.of(
            "io.vertx.core.net.impl.ConnectionBase",
            "io.netty.channel.DefaultChannelPipeline");

    /** Where Vert.x reports an exception nobody caught. */
    static final String UNCAUGHT = "io.quarkus.vertx.core.runtime.VertxCoreRecorder";

    /** How the JDK and Netty's native transport word a failure the peer caused, on Linux and elsewhere. */
    private static final List<String> PEER_FAILURES = List.of(
            "connection reset",
            "broken pipe",
            "connection timed out",
            "forcibly closed by the remote host",
            "connection was aborted");

    @Override
    public boolean isLoggable(LogRecord record) {
        if (!isRoutine(record)) {
            return true;
        }
        record.setLevel(Level.DEBUG);
        return Logger.getLogger(record.getLoggerName()).isLoggable(Level.DEBUG);
    }

    /** A warning or error from the network layers about a failure its peer caused. */
    static boolean isRoutine(LogRecord record) {
        if (record.getLevel().intValue() < Level.WARN.intValue()) {
            return false;
        }
        if (UNCAUGHT.equals(record.getLoggerName())) {
            return closedBeforeItsSetUp(record.getThrown());
        }
        if (!CATEGORIES.contains(record.getLoggerName())) {
            return false;
        }
        Throwable thrown = record.getThrown();
        // without debug logging Vert.x logs the failure's message alone
        return thrown != null ? causedByPeer(thrown) : isPeerFailure(record.getMessage());
    }

    /**
     * Vert.x refusing handlers on a WebSocket that is already closed, while WebSockets Next sets up a socket
     * it has just upgraded: the client reset the connection before any of the service's code saw it.
     */
    static boolean closedBeforeItsSetUp(Throwable failure) {
        return failure instanceof IllegalStateException && "WebSocket is closed".equals(failure.getMessage())
                && Arrays.stream(failure.getStackTrace())
                        .anyMatch(frame -> frame.getClassName().equals("io.quarkus.websockets.next.runtime.Endpoints"));
    }

    static boolean causedByPeer(Throwable failure) {
        Throwable current = failure;
        for (int depth = 0; current != null && depth < 8; depth++, current = current.getCause()) {
            if (current instanceof ClosedChannelException) {
                return true;
            }
            if (current instanceof IOException && isPeerFailure(current.getMessage())) {
                return true;
            }
        }
        return false;
    }

    static boolean isPeerFailure(String message) {
        if (message == null) {
            return false;
        }
        String lower = message.toLowerCase(Locale.ROOT);
        return PEER_FAILURES.stream().anyMatch(lower::contains);
    }
}

package io.videoevents.socket;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.Map;

import io.quarkus.logging.Log;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.quarkus.vertx.http.runtime.filters.QuarkusRequestWrapper;
import io.quarkus.websockets.next.WebSocketConnection;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;

/**
 * Keeps a socket from holding on to the HTTP request that opened it.
 *
 * <p>Quarkus attaches a lazily computed security identity to every request. When a WebSockets Next
 * connection opens with one attached, the connection keeps the whole routing context (request
 * wrappers, their headers and metrics, the identity's pending computation) for as long as it lives:
 * about 3.5 KB of heap per socket, measured with the load tool (BENCHMARKS.md). The sockets never use
 * that identity: the upgrade check verifies an Authorization header itself and keeps only the
 * caller in the connection's user data (security.UpgradeCheck). So upgrade requests drop it here,
 * after authentication has attached it and before the upgrade.
 */
@ApplicationScoped
@RegisterForReflection(classNames = { "io.quarkus.websockets.next.runtime.WebSocketConnectionImpl$HandshakeRequestImpl",
        "io.vertx.core.http.impl.WebSocketImplBase", "io.quarkus.vertx.http.runtime.filters.QuarkusRequestWrapper" }, fields = true)
class UpgradeRequestTrim {

    /** The routing-context key under which Quarkus keeps the lazily computed identity. */
    static final String DEFERRED_IDENTITY = "io.quarkus.vertx.http.deferred-identity";

    /** Filters run in descending priority as routes ordered by negated priority; authentication runs before this one. */
    private static final int PRIORITY = 10;

    /** Empty headers for a socket that no longer needs its upgrade's. */
    private static final MultiMap NO_HEADERS = MultiMap.caseInsensitiveMultiMap();

    private static final Field HANDSHAKE_HEADERS = field("io.quarkus.websockets.next.runtime.WebSocketConnectionImpl$HandshakeRequestImpl",
            "headers");
    private static final Field VERTX_HEADERS = field("io.vertx.core.http.impl.WebSocketImplBase", "headers");

    /**
     * Lets an open socket forget its upgrade request's headers, which WebSockets Next and Vert.x each keep a
     * copy of for the socket's whole life (about 1 KB per socket, more for a browser): once {@code @OnOpen}
     * has read what it needs (the query), nothing looks at them again. Best effort: if the fields cannot be
     * reached, the headers simply stay.
     */
    static void dropHeaders(WebSocketConnection connection, Wire wire) {
        try {
            if (HANDSHAKE_HEADERS != null) {
                HANDSHAKE_HEADERS.set(connection.handshakeRequest(), Map.of());
            }
            if (VERTX_HEADERS != null) {
                VERTX_HEADERS.set(wire.webSocket(), NO_HEADERS);
            }
        } catch (IllegalAccessException | RuntimeException e) {
            Log.debugf("could not drop the upgrade headers of socket %s: %s", connection.id(), e.toString());
        }
    }

    /** The field, made writable (also a final one: these are plain instance fields of ordinary classes). */
    private static Field field(String className, String name) {
        try {
            Field field = Class.forName(className).getDeclaredField(name);
            field.setAccessible(true);
            return field;
        } catch (ReflectiveOperationException | RuntimeException e) {
            Log.debugf("upgrade headers stay with their sockets: %s.%s cannot be reached (%s)", className, name, e);
            return null;
        }
    }

    /**
     * Quarkus's graceful shutdown (quarkus.shutdown.timeout) waits for every request it has seen to finish, and
     * learns that one has from its response ending or closing. The response of an upgrade request does neither: the
     * connection becomes a socket, so the request stays counted for good and every shutdown waits out the whole
     * timeout ("Timed out waiting for graceful shutdown", and on a native executable an abort). The sockets have a
     * drain of their own (Drain), so an upgrade request counts as finished once it is handed to the socket layer.
     */
    private static final Method REQUEST_DONE = method("io.quarkus.vertx.http.runtime.filters.QuarkusRequestWrapper", "done");

    static void releaseFromRequestDrain(HttpServerRequest request) {
        if (REQUEST_DONE == null) {
            return;
        }
        try {
            QuarkusRequestWrapper wrapper = QuarkusRequestWrapper.get(request);
            if (wrapper != null) {
                REQUEST_DONE.invoke(wrapper);
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            Log.debugf("an upgrade request stays counted by the graceful shutdown: %s", e.toString());
        }
    }

    private static Method method(String className, String name) {
        try {
            Method method = Class.forName(className).getDeclaredMethod(name);
            method.setAccessible(true);
            return method;
        } catch (ReflectiveOperationException | RuntimeException e) {
            Log.debugf("upgrade requests stay counted by the graceful shutdown: %s.%s cannot be reached (%s)", className, name, e);
            return null;
        }
    }

    void register(@Observes Filters filters) {
        filters.register(request -> {
            if ("websocket".equalsIgnoreCase(request.request().getHeader("Upgrade"))) {
                request.remove(DEFERRED_IDENTITY);
                releaseFromRequestDrain(request.request());
            }
            request.next();
        }, PRIORITY);
    }
}

package io.videoevents.socket;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.vertx.http.runtime.filters.Filters;

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
class UpgradeRequestTrim {

    /** The routing-context key under which Quarkus keeps the lazily computed identity. */
    static final String DEFERRED_IDENTITY = "io.quarkus.vertx.http.deferred-identity";

    /** Filters run in descending priority as routes ordered by negated priority; authentication runs before this one. */
    private static final int PRIORITY = 10;

    void register(@Observes Filters filters) {
        filters.register(request -> {
            if ("websocket".equalsIgnoreCase(request.request().getHeader("Upgrade"))) {
                request.remove(DEFERRED_IDENTITY);
            }
            request.next();
        }, PRIORITY);
    }
}

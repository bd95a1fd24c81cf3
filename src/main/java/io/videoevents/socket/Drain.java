package io.videoevents.socket;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.videoevents.VideoEventsConfig;
import io.vertx.core.Vertx;

/**
 * Graceful shutdown of the sockets. When Quarkus starts its shutdown delay (SIGTERM), the open sockets
 * are closed with 1001 one by one, spread evenly over the drain window, so thousands of clients
 * reconnect to the other replicas over seconds, not at once. Readiness is DOWN from the same moment
 * (see {@code ops.ReadinessChecks}).
 *
 * <p>A new upgrade that still reaches a draining instance (a proxy that has not yet seen readiness go
 * down, or plain nginx, which never looks) is answered 404 and its connection closed. Of all answers this
 * is the one nginx can pass on to the next replica without counting it against this one: with
 * {@code proxy_next_upstream ... http_404} it tries the next upstream, and a 404 (unlike an error, a
 * timeout or a 503) never marks an upstream as failed. That matters behind nginx with {@code max_fails}
 * above 0: a WebSocket's success is only reported to nginx's balancer when it closes, so a replica marked
 * failed once stays nearly out of rotation for as long as its sockets live, and a rolling restart marks
 * all of them in turn. A proxy that does not retry hands the 404 to the client, which reconnects with
 * backoff. Other requests (health probes, REST) are answered as usual. See docs/operations.md.
 */
@ApplicationScoped
public class Drain {

    /** Before authentication and every other filter: a refused upgrade costs nothing. */
    private static final int PRIORITY = 1_000_000;

    private final Clients clients;
    private final Vertx vertx;
    private final Duration window;
    private volatile boolean draining;

    Drain(Clients clients, Vertx vertx, VideoEventsConfig config) {
        this.clients = clients;
        this.vertx = vertx;
        this.window = config.shutdown().drainWindow();
    }

    /** True once the instance is shutting down. */
    public boolean isDraining() {
        return draining;
    }

    void onShutdownDelay(@Observes ShutdownDelayInitiatedEvent event) {
        draining = true;
        List<ClientConnection> open = new ArrayList<>();
        for (ClientConnection client : clients.openConnections()) {
            if (!client.isClosing()) {
                open.add(client);
            }
        }
        Log.infof("shutting down: closing %d sockets over %s", open.size(), window);
        // the last close lands at 90 % of the window, leaving time for its close handshake
        double step = open.isEmpty() ? 0 : window.toMillis() * 0.9 / open.size();
        for (int i = 0; i < open.size(); i++) {
            ClientConnection client = open.get(i);
            long delay = Math.max(1, Math.round(i * step));
            vertx.setTimer(delay, t -> client.close(ErrorCodes.CLOSE_GOING_AWAY, "server shutting down; reconnect with after"));
        }
    }

    void register(@Observes Filters filters) {
        filters.register(request -> {
            if (draining && "websocket".equalsIgnoreCase(request.request().getHeader("Upgrade"))) {
                request.response().setStatusCode(404).putHeader("Connection", "close")
                        .end("shutting down: reconnect to another replica");
                return;
            }
            request.next();
        }, PRIORITY);
    }
}

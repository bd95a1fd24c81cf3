package io.videoevents.socket;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.websockets.next.HttpUpgradeCheck;
import io.smallrye.mutiny.Uni;
import io.videoevents.VideoEventsConfig;
import io.vertx.core.Vertx;

/**
 * Graceful shutdown of the sockets. When Quarkus starts its shutdown delay (SIGTERM), new upgrades
 * are refused with 503 and the open sockets are closed with 1001 one by one, spread evenly over the
 * drain window, so thousands of clients reconnect to the other replicas over seconds, not at once.
 * Readiness is DOWN from the same moment (see {@code ops.ReadinessChecks}).
 */
@ApplicationScoped
public class Drain implements HttpUpgradeCheck {

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

    @Override
    public Uni<CheckResult> perform(HttpUpgradeContext context) {
        return draining ? CheckResult.rejectUpgrade(503) : CheckResult.permitUpgrade();
    }
}

package io.videoevents.ops;

import java.time.Duration;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import io.videoevents.notify.StatusListener;
import io.videoevents.socket.Drain;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * Ready means this instance can deliver: the pool reaches the database and the LISTEN connection
 * is up (in {@code nats} mode as a replica: a relay is heard; as a relay: NATS is connected as well).
 * All are checked without blocking (the probe runs on the event loop).
 */
@Readiness
@ApplicationScoped
class ReadinessChecks implements AsyncHealthCheck {

    private static final Duration DATABASE_TIMEOUT = Duration.ofSeconds(3);

    private final Pool pool;
    private final StatusListener listener;
    private final Drain drain;

    ReadinessChecks(Pool pool, StatusListener listener, Drain drain) {
        this.pool = pool;
        this.listener = listener;
        this.drain = drain;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        if (drain.isDraining()) {
            return Uni.createFrom().item(HealthCheckResponse.named("video-events").down().withData("shutdown", "draining").build());
        }
        boolean listening = listener.isListening();
        Optional<String> relay = listener.relayProblem();
        return pool.query("SELECT 1").execute()
                .ifNoItem().after(DATABASE_TIMEOUT).fail()
                .map(rows -> true)
                .onFailure().recoverWithItem(false)
                .map(database -> {
                    var response = HealthCheckResponse.named("video-events")
                            .status(database && listening && relay.isEmpty())
                            .withData("database", database ? "UP" : "DOWN")
                            .withData("listener", listening ? "UP" : listener.problem().orElse("DOWN"));
                    relay.ifPresent(problem -> response.withData("relay", problem));
                    return response.build();
                });
    }
}

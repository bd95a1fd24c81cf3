package io.videoevents.ops;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Startup;

import io.videoevents.notify.StatusListener;

/**
 * Started means the schema is migrated (Flyway runs before any bean serves) and the LISTEN connection
 * has come up once. Until then Kubernetes holds off the liveness probe instead of restarting a pod that
 * is merely waiting for its database. Reads one flag: never blocks.
 */
@Startup
@ApplicationScoped
class StartupCheck implements HealthCheck {

    private final StatusListener listener;

    StartupCheck(StatusListener listener) {
        this.listener = listener;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("video-events-started").status(listener.hasListened()).build();
    }
}

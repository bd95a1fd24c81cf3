package io.videoevents.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.runtime.StartupEvent;

/**
 * Stops a start-up that has no database to talk to, before anything else runs, with a message that
 * names the variables to set. Without it, Quarkus would quietly skip the migration of an unset JDBC
 * URL and fail later, somewhere less obvious.
 */
@ApplicationScoped
class DatabaseSettingsCheck {

    private final Optional<String> jdbcUrl;
    private final Optional<String> reactiveUrl;

    DatabaseSettingsCheck(@ConfigProperty(name = "quarkus.datasource.jdbc.url") Optional<String> jdbcUrl,
            @ConfigProperty(name = "quarkus.datasource.reactive.url") Optional<String> reactiveUrl) {
        this.jdbcUrl = jdbcUrl;
        this.reactiveUrl = reactiveUrl;
    }

    void check(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent start) {
        List<String> missing = new ArrayList<>();
        if (jdbcUrl.isEmpty()) {
            missing.add("QUARKUS_DATASOURCE_JDBC_URL (e.g. jdbc:postgresql://db:5432/videos, used for migrations)");
        }
        if (reactiveUrl.isEmpty()) {
            missing.add("QUARKUS_DATASOURCE_REACTIVE_URL (e.g. postgresql://db:5432/videos, used for everything else)");
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("video-events needs a PostgreSQL database. Set " + String.join(" and ", missing)
                    + ", plus QUARKUS_DATASOURCE_USERNAME and QUARKUS_DATASOURCE_PASSWORD.");
        }
    }
}

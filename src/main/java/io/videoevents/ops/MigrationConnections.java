package io.videoevents.ops;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.StartupEvent;

/**
 * JDBC is for Flyway only, and Flyway is done before start-up events fire. Its idle connections are
 * closed right away rather than when the pool's reaper gets to them, so from then on an instance holds
 * exactly the reactive pool plus the LISTEN connection, whatever the number of sockets.
 */
@ApplicationScoped
class MigrationConnections {

    private final AgroalDataSource jdbc;

    MigrationConnections(AgroalDataSource jdbc) {
        this.jdbc = jdbc;
    }

    void closeAfterMigration(@Observes StartupEvent start) {
        jdbc.flush(AgroalDataSource.FlushMode.IDLE);
    }
}

package io.videoevents.support;

import java.io.IOException;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * A PostgreSQL for tests of the packaged application, which (rightly) carries no embedded database.
 * When {@code QUARKUS_DATASOURCE_JDBC_URL} is set, that server is used and nothing is started.
 */
public class EmbeddedDatabase implements QuarkusTestResourceLifecycleManager {

    private static volatile String jdbcUrl;
    private static volatile String user;
    private static volatile String password;

    private EmbeddedPostgres postgres;

    @Override
    public Map<String, String> start() {
        String given = System.getenv("QUARKUS_DATASOURCE_JDBC_URL");
        if (given != null && !given.isBlank()) {
            jdbcUrl = given;
            user = System.getenv("QUARKUS_DATASOURCE_USERNAME");
            password = System.getenv("QUARKUS_DATASOURCE_PASSWORD");
            return Map.of();
        }
        try {
            postgres = EmbeddedPostgres.builder().start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start an embedded PostgreSQL", e);
        }
        jdbcUrl = "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres";
        user = "postgres";
        password = "postgres";
        return Map.of(
                "quarkus.datasource.jdbc.url", jdbcUrl,
                "quarkus.datasource.reactive.url", "postgresql://localhost:" + postgres.getPort() + "/postgres",
                "quarkus.datasource.username", user,
                "quarkus.datasource.password", password);
    }

    @Override
    public void stop() {
        if (postgres != null) {
            try {
                postgres.close();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** A worker connection to the database the packaged application was started with. */
    public static WorkerSql worker() {
        return WorkerSql.connect(jdbcUrl, user, password);
    }
}

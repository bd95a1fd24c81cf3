package io.videoevents.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/** A PostgreSQL of a test's own for tests that run packaged instances themselves; closed (and deleted) after. */
public final class ThrowawayDatabase implements AutoCloseable {

    private final EmbeddedPostgres postgres;

    public ThrowawayDatabase() {
        try {
            postgres = EmbeddedPostgres.builder().start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Settings for a packaged instance: this database, and the test's token key, issuer and audience
     * (authentication stays on).
     */
    public Map<String, String> settings() {
        Map<String, String> settings = new HashMap<>(databaseSettings());
        settings.putAll(TestTokens.verificationSettings());
        return Map.copyOf(settings);
    }

    /** Only this database, for a test that chooses the token settings itself. */
    public Map<String, String> databaseSettings() {
        return Map.of(
                "quarkus.datasource.jdbc.url", jdbcUrl(),
                "quarkus.datasource.reactive.url", "postgresql://localhost:" + postgres.getPort() + "/postgres",
                "quarkus.datasource.username", "postgres",
                "quarkus.datasource.password", "postgres");
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres";
    }

    /** The same database as a Vert.x reactive URI (user and password included). */
    public String reactiveUrl() {
        return "postgresql://postgres:postgres@localhost:" + postgres.getPort() + "/postgres";
    }

    public WorkerSql worker() {
        return WorkerSql.connect(jdbcUrl(), "postgres", "postgres");
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

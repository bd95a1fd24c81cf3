package io.videoevents.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;

import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Plain JDBC, the way a video worker talks to the database: its own connection, no service code in
 * between. Reads the same datasource settings the service uses.
 */
public final class WorkerSql implements AutoCloseable {

    private final Connection connection;

    private WorkerSql(Connection connection) {
        this.connection = connection;
    }

    /** Connects with the service's own datasource configuration (for {@code @QuarkusTest}). */
    public static WorkerSql connect() {
        var config = ConfigProvider.getConfig();
        return connect(config.getValue("quarkus.datasource.jdbc.url", String.class),
                config.getOptionalValue("quarkus.datasource.username", String.class).orElse(null),
                config.getOptionalValue("quarkus.datasource.password", String.class).orElse(null));
    }

    public static WorkerSql connect(String jdbcUrl, String user, String password) {
        try {
            return new WorkerSql(DriverManager.getConnection(jdbcUrl, user, password));
        } catch (SQLException e) {
            throw new AssertionError("cannot reach " + jdbcUrl, e);
        }
    }

    /** Runs one statement in its own transaction (autocommit), returns the rows it changed (0 for a query). */
    public int update(String sql, Object... args) {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                statement.setObject(i + 1, args[i]);
            }
            if (statement.execute()) {
                return 0;
            }
            return statement.getUpdateCount();
        } catch (SQLException e) {
            throw new AssertionError(sql, e);
        }
    }

    /** Runs the statement in a transaction that is rolled back. */
    public void updateAndRollBack(String sql, Object... args) {
        try {
            connection.setAutoCommit(false);
            update(sql, args);
            connection.rollback();
        } catch (SQLException e) {
            throw new AssertionError(sql, e);
        } finally {
            try {
                connection.setAutoCommit(true);
            } catch (SQLException e) {
                throw new AssertionError(e);
            }
        }
    }

    public void insertVideo(String id) {
        update("INSERT INTO videos (id, raw_file_path) VALUES (?, ?)", id, "/uploads/" + id + ".mp4");
    }

    public void setStatus(String id, String status) {
        update("UPDATE videos SET processing_status = ? WHERE id = ?", status, id);
    }

    public Connection connection() {
        return connection;
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }
}

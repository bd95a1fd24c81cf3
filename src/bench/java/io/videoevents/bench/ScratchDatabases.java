package io.videoevents.bench;

import java.sql.*;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Databases a scenario creates empty on the PostgreSQL at 127.0.0.1:5432 for one run and drops afterwards. */
final class ScratchDatabases {
    private static final Set<String> LIVE = ConcurrentHashMap.newKeySet();
    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(ScratchDatabases::drop), "bench-database-reaper"));
    }

    private ScratchDatabases() {
    }

    /** Creates {@code database} empty, dropping one left by an earlier run of the same name. */
    static void create(String database) {
        admin("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        admin("CREATE DATABASE " + database);
        LIVE.add(database);
    }

    /** Drops {@code database}, sessions and all; a failure is reported, not thrown. */
    static void drop(String database) {
        try {
            admin("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
            LIVE.remove(database);
        } catch (RuntimeException e) {
            System.err.println("could not drop " + database + ": " + e.getMessage());
        }
    }

    private static void admin(String sql) {
        try (Connection connection = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres");
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }
}

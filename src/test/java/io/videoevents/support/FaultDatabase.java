package io.videoevents.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * A throwaway PostgreSQL that fault tests may break: its own data directory and port, never the
 * machine's shared server. The service reaches it through a {@link TcpProxy} (so the network can be
 * cut); workers in the test connect to it directly. Stopped and deleted when the tests end, also when
 * they fail.
 */
public class FaultDatabase implements QuarkusTestResourceLifecycleManager {

    private static EmbeddedPostgres postgres;
    private static TcpProxy proxy;
    private static Path dataDirectory;
    private static int port;

    @Override
    public synchronized Map<String, String> start() {
        try {
            dataDirectory = Files.createTempDirectory("video-events-fault-pg");
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            postgres = startServer();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        proxy = new TcpProxy(port);
        String viaProxy = "localhost:" + proxy.port() + "/postgres";
        return Map.of(
                "quarkus.datasource.jdbc.url", "jdbc:postgresql://" + viaProxy,
                "quarkus.datasource.reactive.url", "postgresql://" + viaProxy,
                "quarkus.datasource.username", "postgres",
                "quarkus.datasource.password", "postgres");
    }

    private static EmbeddedPostgres startServer() throws IOException {
        return EmbeddedPostgres.builder()
                .setPort(port)
                .setDataDirectory(dataDirectory)
                .setCleanDataDirectory(false)
                .start();
    }

    @Override
    public synchronized void stop() {
        try {
            if (proxy != null) {
                proxy.close();
            }
            if (postgres != null) {
                postgres.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            deleteDataDirectory();
        }
    }

    private static void deleteDataDirectory() {
        if (dataDirectory == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dataDirectory)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A worker's connection straight to the server (not through the proxy). */
    public static WorkerSql worker() {
        return WorkerSql.connect(jdbcUrl(), "postgres", "postgres");
    }

    public static String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + port + "/postgres";
    }

    public static TcpProxy proxy() {
        return proxy;
    }

    /** Stops the server (fast shutdown: every connection is dropped) and starts it again on the same port and data. */
    public static synchronized void restart() {
        try {
            postgres.close();
            postgres = startServer();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Kills the service's LISTEN backend, found by its application_name; returns how many were terminated. */
    public static int terminateListenerBackend() {
        try (Connection connection = DriverManager.getConnection(jdbcUrl(), "postgres", "postgres");
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))"
                        + " FROM pg_stat_activity WHERE application_name = 'video-events-listener'")) {
            rows.next();
            return rows.getInt(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}

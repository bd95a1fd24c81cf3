package io.videoevents.support;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The deployment the ingress tests run: one PostgreSQL, replicas of the packaged jar on loopback ports,
 * and nginx in front of them with the project's ingress configuration. A replica can be restarted on its
 * port (as a pod comes back behind its Service) or killed. Optionally relays too (the same jar in the relay
 * role, not behind nginx), started before the replicas, whose readiness in nats mode needs a relay.
 */
public final class IngressTopology implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final ThrowawayDatabase db;
    private final Map<String, String> settings;
    private final List<Integer> ports = new ArrayList<>();
    private final List<PackagedApp> replicas = new ArrayList<>();
    private final List<Integer> generations = new ArrayList<>();
    private final List<PackagedApp> relays = new ArrayList<>();
    private final List<Integer> relayStarts = new ArrayList<>();
    private final Map<String, String> relaySettings;
    private final Nginx nginx;

    /**
     * Starts {@code replicaCount} replicas (in parallel) with the database's settings plus {@code extra},
     * then nginx with {@code max_fails=maxFails} per replica and this read timeout.
     */
    public IngressTopology(String name, int replicaCount, Map<String, String> extra, int maxFails, Duration readTimeout) {
        this(name, 0, Map.of(), replicaCount, extra, maxFails, readTimeout);
    }

    /**
     * The same, with {@code relayCount} relays started first (in parallel) with the database's settings plus
     * {@code relayExtra}.
     */
    public IngressTopology(String name, int relayCount, Map<String, String> relayExtra, int replicaCount,
            Map<String, String> extra, int maxFails, Duration readTimeout) {
        this.name = name;
        ThrowawayDatabase database = new ThrowawayDatabase();
        this.db = database;
        Map<String, String> all = new HashMap<>(database.settings());
        all.putAll(extra);
        this.settings = Map.copyOf(all);
        Map<String, String> forRelays = new HashMap<>(database.settings());
        forRelays.putAll(relayExtra);
        this.relaySettings = Map.copyOf(forRelays);
        try {
            List<CompletableFuture<PackagedApp>> relaysStarting = new ArrayList<>();
            for (int i = 0; i < relayCount; i++) {
                relayStarts.add(0);
                String relayName = relayName(i);
                relaysStarting.add(CompletableFuture.supplyAsync(() -> PackagedApp.start(relayName, relaySettings)));
            }
            for (CompletableFuture<PackagedApp> start : relaysStarting) {
                relays.add(start.join());
            }
            List<CompletableFuture<PackagedApp>> starting = new ArrayList<>();
            for (int i = 0; i < replicaCount; i++) {
                int port = PackagedApp.freePort();
                ports.add(port);
                generations.add(0);
                String replicaName = replicaName(i);
                starting.add(CompletableFuture.supplyAsync(() -> PackagedApp.start(replicaName, port, settings, Map.of())));
            }
            for (CompletableFuture<PackagedApp> start : starting) {
                replicas.add(start.join());
            }
            this.nginx = Nginx.start(name, ports, maxFails, readTimeout);
        } catch (RuntimeException e) {
            replicas.forEach(PackagedApp::close);
            relays.forEach(PackagedApp::close);
            database.close();
            throw e;
        }
    }

    private String replicaName(int i) {
        int generation = generations.get(i);
        return name + "-replica-" + i + (generation == 0 ? "" : "-" + generation);
    }

    private String relayName(int i) {
        int start = relayStarts.get(i);
        return name + "-relay-" + i + (start == 0 ? "" : "-" + start);
    }

    public PackagedApp relay(int i) {
        return relays.get(i);
    }

    /** Starts relay {@code i} again (its predecessor must have exited) and waits until it is ready. */
    public PackagedApp startRelayAgain(int i) {
        relayStarts.set(i, relayStarts.get(i) + 1);
        PackagedApp app = PackagedApp.start(relayName(i), relaySettings);
        relays.set(i, app);
        return app;
    }

    public ThrowawayDatabase database() {
        return db;
    }

    public Nginx nginx() {
        return nginx;
    }

    /** The address clients use: nginx. */
    public URI base() {
        return nginx.base();
    }

    public PackagedApp replica(int i) {
        return replicas.get(i);
    }

    public int size() {
        return replicas.size();
    }

    /** Starts replica {@code i} again on its port (its predecessor must have exited) and waits until it is ready. */
    public PackagedApp startAgain(int i) {
        generations.set(i, generations.get(i) + 1);
        PackagedApp app = PackagedApp.start(replicaName(i), ports.get(i), settings, Map.of());
        replicas.set(i, app);
        return app;
    }

    /** Open sockets on replica {@code i} by its own count ({@code video_events_connections}); -1 if it does not answer. */
    public int connections(int i) {
        return (int) metric(replicas.get(i), "video_events_connections", -1);
    }

    /** The first sample of {@code series} (labels allowed) on {@code app}: 0 if absent, {@code otherwise} if it does not answer. */
    /** The names of the series the app exports now (empty when it does not answer). */
    public static java.util.Set<String> metricNames(PackagedApp app) {
        java.util.Set<String> names = new java.util.TreeSet<>();
        try {
            for (String line : metricsText(app).split("\n")) {
                if (!line.isEmpty() && !line.startsWith("#")) {
                    names.add(line.split("[{ ]", 2)[0]);
                }
            }
        } catch (Exception e) {
            // not answering: nothing exported
        }
        return names;
    }

    /** What the app's /q/metrics answers now. */
    private static String metricsText(PackagedApp app) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(app.base().resolve("q/metrics")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    public static double metric(PackagedApp app, String series, double otherwise) {
        try {
            for (String line : metricsText(app).split("\n")) {
                if (line.startsWith(series + " ") || line.startsWith(series + "{")) {
                    return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            return 0;
        } catch (Exception e) {
            return otherwise;
        }
    }

    /** Creates {@code count} videos and returns their ids. */
    public List<String> createVideos(String prefix, int count) {
        List<String> ids = new ArrayList<>();
        try (WorkerSql worker = db.worker();
                var statement = worker.connection().prepareStatement("INSERT INTO videos (id, raw_file_path) VALUES (?, ?)")) {
            for (int v = 0; v < count; v++) {
                String id = prefix + "-" + v;
                statement.setString(1, id);
                statement.setString(2, "/uploads/" + id + ".mp4");
                statement.addBatch();
                ids.add(id);
            }
            statement.executeBatch();
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
        return ids;
    }

    @Override
    public void close() {
        try {
            nginx.close();
        } finally {
            replicas.forEach(PackagedApp::close);
            relays.forEach(PackagedApp::close);
            db.close();
        }
    }
}

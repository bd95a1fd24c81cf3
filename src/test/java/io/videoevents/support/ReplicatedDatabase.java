package io.videoevents.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import org.awaitility.Awaitility;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Assumptions;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * A primary PostgreSQL and its asynchronous streaming standby, both real servers on free ports in one temporary
 * directory, for tests of what a failover does to the service. In Kubernetes the service reaches "the primary"
 * through one Service name that the operator re-points after a failover; here that name is the
 * {@linkplain #serviceProxy() service proxy}. The standby streams from the primary through a second proxy that a
 * test can {@linkplain #pauseReplication() pause}: commits made meanwhile exist only on the primary (replication is
 * asynchronous, so the primary never waits), and a {@linkplain #killPrimary() killed} primary takes them with it,
 * while the {@linkplain #promoteStandby() promoted} standby carries on from what it had replayed, on a new timeline.
 * {@link #switchover()} is the control case: the standby takes over with nothing lost.
 * <p>
 * The servers are the embedded database's PostgreSQL (the same binaries the service's tests run on, from Maven, so
 * every machine that builds the project has them). PostgreSQL refuses to run as root; as root they run in a user
 * namespace of their own ({@code unshare -U}), as the embedded database runs them. Where that is impossible
 * {@link #start()} skips the calling test (a JUnit assumption) and says why.
 * <p>
 * The two servers keep their roles' names: {@link #primary()} is the server started as the primary, also once it is
 * dead; {@link #standby()} the one started as the standby, also once promoted. {@link #close()} stops everything and
 * deletes the directory; a shutdown hook does the same if a test never gets there.
 */
public final class ReplicatedDatabase implements AutoCloseable {

    public static final String USER = "postgres";
    public static final String PASSWORD = "postgres";
    public static final String DATABASE = "postgres";

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Duration POLL = Duration.ofMillis(20);

    private static Installation prepared;

    private final Installation installation;
    private final Path root;
    private final String name = "replicated-" + UUID.randomUUID().toString().substring(0, 8);
    private final Server primary;
    private final Server standby;
    private final AtomicBoolean released = new AtomicBoolean();
    private final Thread shutdownHook = new Thread(this::release, "replicated-database-cleanup");
    private TcpProxy replication;
    private TcpProxy service;
    private volatile Server serviceTarget;

    private ReplicatedDatabase(Installation installation) throws IOException {
        this.installation = installation;
        root = Files.createTempDirectory("video-events-replicated-pg");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        primary = new Server("primary", root.resolve("primary"));
        standby = new Server("standby", root.resolve("standby"));
    }

    /**
     * Starts the primary and the standby, both from copies of one stopped new cluster, and waits until the standby
     * streams. Skips the calling test when PostgreSQL cannot run on this machine.
     */
    public static ReplicatedDatabase start() {
        Optional<String> unavailable = unavailability();
        Assumptions.assumeTrue(unavailable.isEmpty(), () -> "no replicated PostgreSQL here: " + unavailable.get());
        ReplicatedDatabase database;
        try {
            database = new ReplicatedDatabase(installation());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            database.startBoth();
            return database;
        } catch (RuntimeException | Error e) {
            database.close();
            throw e;
        }
    }

    /** Why the servers cannot run on this machine, or empty when they can. */
    public static Optional<String> unavailability() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")) {
            return Optional.of("the kit runs PostgreSQL's processes directly and knows only Linux ("
                    + System.getProperty("os.name") + ")");
        }
        if (runningAsRoot() && !userNamespacesWork()) {
            return Optional.of("this runs as root, which PostgreSQL refuses, and `unshare -U` (a user namespace to run"
                    + " it in, as the embedded database does) is not permitted here");
        }
        return Optional.empty();
    }

    private void startBoth() {
        primary.copyFrom(installation.template);
        standby.copyFrom(installation.template);
        standby.makeStandby();
        primary.start(List.of());
        replication = new TcpProxy(primary.port());
        standby.start(List.of("-c", "primary_conninfo=host=127.0.0.1 port=" + replication.port() + " user=" + USER
                + " application_name=" + standby.clusterName));
        service = new TcpProxy(primary.port());
        serviceTarget = primary;
        await("the standby streams from the primary",
                () -> primary.number("SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'") == 1);
    }

    public Server primary() {
        return primary;
    }

    public Server standby() {
        return standby;
    }

    /** The server the service proxy forwards to now. */
    public Server serviceTarget() {
        return serviceTarget;
    }

    /** The proxy that stands for the Kubernetes Service in front of the primary. */
    public TcpProxy serviceProxy() {
        return service;
    }

    /** The proxy the standby's replication connection goes through. */
    public TcpProxy replicationProxy() {
        return replication;
    }

    /** The service's JDBC URL: the service proxy, wherever it points. */
    public String serviceJdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + service.port() + "/" + DATABASE;
    }

    /** The service's reactive URL: the service proxy, wherever it points. */
    public String serviceReactiveUrl() {
        return "postgresql://127.0.0.1:" + service.port() + "/" + DATABASE;
    }

    /** The service's {@code quarkus.datasource.*} settings (the QUARKUS_DATASOURCE_* of a pod): the service proxy. */
    public Map<String, String> serviceDatabaseSettings() {
        return Map.of(
                "quarkus.datasource.jdbc.url", serviceJdbcUrl(),
                "quarkus.datasource.reactive.url", serviceReactiveUrl(),
                "quarkus.datasource.username", USER,
                "quarkus.datasource.password", PASSWORD);
    }

    /**
     * The service's migrations (src/main/resources/db/migration), through the service proxy as the service runs them
     * at start-up; the standby gets the schema, its functions and the signing key by replication.
     */
    public void migrate() {
        Flyway.configure().dataSource(serviceJdbcUrl(), USER, PASSWORD).locations("classpath:db/migration").load()
                .migrate();
    }

    /** The temporary directory of both servers and their logs; gone after {@link #close()}. */
    public Path directory() {
        return root;
    }

    /** A worker connected through the service proxy, as a worker pod would reach the database. */
    public WorkerSql serviceWorker() {
        return WorkerSql.connect(serviceJdbcUrl(), USER, PASSWORD);
    }

    /** The standby receives nothing more (its connection stays open and silent); the primary goes on committing. */
    public void pauseReplication() {
        replication.cut();
    }

    /** The standby receives again, what was held back first. */
    public void resumeReplication() {
        replication.restore();
    }

    /**
     * Waits until the standby has replayed everything the primary has written so far; returns that position. Call
     * it before {@link #pauseReplication()} to know exactly what the standby has.
     */
    public String awaitReplayed() {
        String position = primary.walPosition();
        awaitReplayed(position);
        return position;
    }

    /** Waits until the standby has replayed the primary's WAL up to {@code position} ({@code X/Y}). */
    public void awaitReplayed(String position) {
        await("the standby replays up to " + position,
                () -> lsn(standby.text("SELECT coalesce(pg_last_wal_replay_lsn(), '0/0')")) >= lsn(position));
    }

    /**
     * Kills the primary as a lost node does: SIGKILL to the postmaster and every process it started, no shutdown
     * checkpoint, nothing more sent to the standby. Returns when none of them is left. Connections through the
     * proxies see their server end close.
     */
    public void killPrimary() {
        primary.kill();
    }

    /**
     * {@code pg_ctl promote} on the standby; returns once it accepts writes, with the time that took. Its end of
     * recovery checkpoint may still be running then, so {@link Server#timeline()} can show the old timeline for a
     * few more seconds ({@link Server#writeTimeline()} shows the new one at once).
     */
    public Duration promoteStandby() {
        return standby.promote();
    }

    /**
     * The service proxy forwards new connections to {@code server} and closes every connection it carries now, as
     * an operator re-pointing the primary's Service does.
     */
    public void repointTo(Server server) {
        service.retarget(server.port());
        serviceTarget = server;
    }

    /**
     * A planned switchover with nothing lost: waits until the standby has replayed all the primary wrote, stops the
     * primary cleanly (its shutdown checkpoint reaches the standby before it goes), waits until the standby has
     * replayed that as well and promotes it. Does not re-point the service proxy. Returns the promotion's time.
     */
    public Duration switchover() {
        awaitReplayed();
        primary.stop();
        String received = standby.text("SELECT coalesce(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())");
        awaitReplayed(received);
        return standby.promote();
    }

    /** Stops both servers and the proxies and deletes the directory; also after a failure, never throws. */
    @Override
    public void close() {
        release();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook is running or has run release() itself
        }
    }

    private void release() {
        if (!released.compareAndSet(false, true)) {
            return;
        }
        for (AutoCloseable part : new AutoCloseable[] { service, replication, standby, primary }) {
            if (part != null) {
                try {
                    part.close();
                } catch (Exception | Error e) {
                    System.err.println(name + ": could not stop " + part + ": " + e);
                }
            }
        }
        deleteTree(root);
    }

    /** A WAL position {@code X/Y} as the number of bytes it stands for. */
    public static long lsn(String position) {
        int slash = position.indexOf('/');
        return (Long.parseLong(position.substring(0, slash), 16) << 32) | Long.parseLong(position.substring(slash + 1), 16);
    }

    @Override
    public String toString() {
        return name + " in " + root;
    }

    /** One of the two servers, under the role it was started in. */
    public final class Server implements AutoCloseable {

        private final String role;
        private final Path directory;
        private final Path log;
        final String clusterName;
        private volatile int port;
        private volatile Process postmaster;

        private Server(String role, Path directory) {
            this.role = role;
            this.directory = directory;
            this.log = root.resolve(role + ".log");
            // shown in every process title of the server ("postgres: <name>: walsender ..."), so they can be found
            this.clusterName = name + "-" + role;
        }

        public String role() {
            return role;
        }

        public int port() {
            return port;
        }

        public String jdbcUrl() {
            return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
        }

        public String reactiveUrl() {
            return "postgresql://127.0.0.1:" + port + "/" + DATABASE;
        }

        /** A connection straight to this server (not through a proxy). */
        public Connection connect() throws SQLException {
            return DriverManager.getConnection(jdbcUrl(), USER, PASSWORD);
        }

        /** A worker connected straight to this server. */
        public WorkerSql worker() {
            return WorkerSql.connect(jdbcUrl(), USER, PASSWORD);
        }

        public boolean isRunning() {
            Process process = postmaster;
            return process != null && process.isAlive();
        }

        public boolean inRecovery() {
            return Boolean.parseBoolean(text("SELECT pg_is_in_recovery()"));
        }

        /**
         * The timeline of the last checkpoint ({@code pg_control_checkpoint()}): after a promotion it moves to the new
         * timeline only when the end of recovery checkpoint completes, which is spread and takes seconds.
         */
        public int timeline() {
            return (int) number("SELECT timeline_id FROM pg_control_checkpoint()");
        }

        /**
         * {@code CHECKPOINT}: finishes a spread checkpoint in progress at once (a promotion's, say) and makes one more,
         * so that {@link #timeline()} shows the timeline written on now. Needs a superuser or {@code pg_checkpoint}.
         */
        public void checkpoint() {
            try (Connection connection = connect(); Statement statement = connection.createStatement()) {
                statement.execute("CHECKPOINT");
            } catch (SQLException e) {
                throw new IllegalStateException("CHECKPOINT failed on the " + role, e);
            }
        }

        /** The timeline WAL is written on now, from the current WAL file's name; only on a server that writes. */
        public int writeTimeline() {
            return Integer.parseInt(text("SELECT substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8)"), 16);
        }

        /** The cluster's system identifier, the same on a primary and every standby made from it. */
        public long systemIdentifier() {
            return number("SELECT system_identifier FROM pg_control_system()");
        }

        /** {@code pg_current_wal_lsn()} on a server that writes, {@code pg_last_wal_replay_lsn()} on a standby. */
        public String walPosition() {
            return text("SELECT CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn()"
                    + " END");
        }

        /** Runs a query of one value on a connection of its own and returns it as text (null for NULL). */
        public String text(String sql) {
            try (Connection connection = connect(); Statement statement = connection.createStatement();
                    ResultSet rows = statement.executeQuery(sql)) {
                if (!rows.next()) {
                    throw new IllegalStateException(sql + " returned no row on the " + role);
                }
                return rows.getString(1);
            } catch (SQLException e) {
                throw new IllegalStateException(sql + " failed on the " + role, e);
            }
        }

        /** Runs a query of one number on a connection of its own. */
        public long number(String sql) {
            return Long.parseLong(text(sql));
        }

        /** The server's log so far (what PostgreSQL printed), for a failure message. */
        public String logText() {
            try {
                return Files.exists(log) ? Files.readString(log) : "";
            } catch (IOException e) {
                return "(log unreadable: " + e + ")";
            }
        }

        /**
         * A cold copy of a cleanly stopped cluster: a standby needs nothing more (no pg_basebackup) than such a copy
         * of its primary's cluster and {@code standby.signal}.
         */
        private void copyFrom(Path cluster) {
            try (Stream<Path> paths = Files.walk(cluster)) {
                for (Path from : (Iterable<Path>) paths::iterator) {
                    Path to = directory.resolve(cluster.relativize(from).toString());
                    if (Files.isDirectory(from)) {
                        Files.createDirectories(to);
                        Files.setPosixFilePermissions(to, Files.getPosixFilePermissions(from));
                    } else if (!from.getFileName().toString().equals(Installation.EMBEDDED_LOCK)) {
                        Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private void makeStandby() {
            try {
                Files.createFile(directory.resolve("standby.signal"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private void start(List<String> settings) {
            for (int attempt = 1;; attempt++) {
                port = freePort();
                List<String> command = new ArrayList<>(installation.prefix);
                command.addAll(List.of(installation.bin.resolve("postgres").toString(), "-D", directory.toString(),
                        "-p", Integer.toString(port),
                        "-c", "listen_addresses=127.0.0.1",
                        // no socket files in /tmp
                        "-c", "unix_socket_directories=",
                        "-c", "cluster_name=" + clusterName,
                        // a killed server leaves its dynamic shared memory in its own directory, not in /dev/shm
                        "-c", "dynamic_shared_memory_type=mmap",
                        // nothing is lost to fsync=off here: a killed process leaves its writes in the page cache
                        "-c", "fsync=off",
                        // what the new cluster was made with (the embedded database's setting): a standby may not
                        // have fewer connections than its primary
                        "-c", "max_connections=300",
                        "-c", "wal_keep_size=64MB",
                        "-c", "wal_retrieve_retry_interval=1s"));
                command.addAll(settings);
                try {
                    note(command);
                    postmaster = new ProcessBuilder(command).redirectErrorStream(true)
                            .redirectOutput(Redirect.appendTo(log.toFile())).start();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                Process process = postmaster;
                Awaitility.await(role + " accepts connections").atMost(TIMEOUT).pollDelay(Duration.ZERO)
                        .pollInterval(POLL).until(() -> !process.isAlive() || accepts());
                if (process.isAlive()) {
                    return;
                }
                // another process took the free port between our look and the server's bind: try another
                if (attempt < 3 && logText().contains("could not bind")) {
                    continue;
                }
                throw new IllegalStateException("the " + role + " exited at start-up:\n" + logText());
            }
        }

        private boolean accepts() {
            try (Connection connection = connect()) {
                return true;
            } catch (SQLException notYet) {
                return false;
            }
        }

        /** {@code pg_ctl promote}; returns once the server accepts writes, with the time that took. */
        public Duration promote() {
            long started = System.nanoTime();
            run("pg_ctl", List.of("promote", "-w", "-t", Long.toString(TIMEOUT.toSeconds()), "-D", directory.toString()),
                    TIMEOUT.plusSeconds(5));
            await("the " + role + " accepts writes", () -> !inRecovery()
                    && "off".equals(text("SELECT current_setting('transaction_read_only')")));
            return Duration.ofNanos(System.nanoTime() - started);
        }

        /** A fast shutdown: connections are ended, a shutdown checkpoint is written and sent to the standbys. */
        public void stop() {
            run("pg_ctl", List.of("stop", "-m", "fast", "-w", "-t", Long.toString(TIMEOUT.toSeconds()), "-D",
                    directory.toString()), TIMEOUT.plusSeconds(5));
            awaitExit(postmaster);
        }

        /**
         * SIGKILL to the postmaster and every process it started, as when the node is lost; returns when none is left.
         * The System V segment a killed postmaster leaves is removed too.
         */
        public void kill() {
            Process process = postmaster;
            if (process == null || !process.isAlive()) {
                throw new IllegalStateException("the " + role + " is not running");
            }
            ProcessHandle handle = process.toHandle();
            // frozen first: killed one by one, a backend that outlived the postmaster by a moment would tell its client
            // "terminating connection due to unexpected postmaster exit", which a lost node never says. A stopped
            // postmaster forks no more, so its descendants are then all there is.
            signal("STOP", List.of(handle));
            List<ProcessHandle> children = handle.descendants().toList();
            signal("STOP", children);
            handle.destroyForcibly();
            children.forEach(ProcessHandle::destroyForcibly);
            await("every process of the " + role + " is gone", () -> {
                List<ProcessHandle> left = processes();
                left.forEach(ProcessHandle::destroyForcibly);
                return left.isEmpty() && !process.isAlive();
            });
            awaitExit(process);
            removeSharedMemory();
        }

        /** Sends a signal Java has no call for, with the shell's kill. */
        private void signal(String name, List<ProcessHandle> processes) {
            if (processes.isEmpty()) {
                return;
            }
            StringBuilder command = new StringBuilder("kill -").append(name);
            processes.forEach(process -> command.append(' ').append(process.pid()));
            try {
                Process kill = new ProcessBuilder("sh", "-c", command.toString()).redirectErrorStream(true)
                        .redirectOutput(Redirect.DISCARD).start();
                // a process that ended meanwhile makes kill fail for it alone: nothing to do about that
                kill.waitFor(10, TimeUnit.SECONDS);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        /** How many processes of this server are alive (the postmaster and those it started). */
        public int processCount() {
            return processes().size();
        }

        /** Processes of this server, by the cluster name in their titles. */
        private List<ProcessHandle> processes() {
            List<ProcessHandle> found = new ArrayList<>();
            Process process = postmaster;
            if (process != null && process.isAlive()) {
                found.add(process.toHandle());
            }
            String title = "postgres: " + clusterName + ": ";
            try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
                entries.filter(entry -> entry.getFileName().toString().chars().allMatch(Character::isDigit))
                        .filter(entry -> commandLine(entry).startsWith(title))
                        .forEach(entry -> ProcessHandle.of(Long.parseLong(entry.getFileName().toString()))
                                .ifPresent(found::add));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return found;
        }

        private static String commandLine(Path procEntry) {
            try {
                return new String(Files.readAllBytes(procEntry.resolve("cmdline")), StandardCharsets.UTF_8);
            } catch (IOException | SecurityException gone) {
                return "";
            }
        }

        /**
         * The System V segment a killed postmaster leaves behind (PostgreSQL removes it itself only when it stops, or
         * when a server starts again in the same directory). Its id is in the lock file, which a kill leaves too.
         */
        private void removeSharedMemory() {
            Path lockFile = directory.resolve("postmaster.pid");
            try {
                if (!Files.exists(lockFile)) {
                    return;
                }
                List<String> lines = Files.readAllLines(lockFile);
                if (lines.size() < 7) {
                    return;
                }
                String[] keyAndId = lines.get(6).trim().split("\\s+");
                if (keyAndId.length == 2) {
                    Process ipcrm = new ProcessBuilder("ipcrm", "-m", keyAndId[1]).redirectErrorStream(true)
                            .redirectOutput(Redirect.DISCARD).start();
                    ipcrm.waitFor(10, TimeUnit.SECONDS);
                }
            } catch (IOException e) {
                System.err.println(clusterName + ": shared memory not removed: " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** Each command goes into the server's log before what it prints. */
        private void note(List<String> command) throws IOException {
            Files.writeString(log, "== " + String.join(" ", command) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }

        private void run(String program, List<String> arguments, Duration timeout) {
            List<String> command = new ArrayList<>(installation.prefix);
            command.add(installation.bin.resolve(program).toString());
            command.addAll(arguments);
            try {
                note(command);
                Process process = new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectOutput(Redirect.appendTo(log.toFile())).start();
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    throw new IllegalStateException(program + " did not finish in " + timeout + ":\n" + logText());
                }
                if (process.exitValue() != 0) {
                    throw new IllegalStateException(program + " failed (" + process.exitValue() + "):\n" + logText());
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        /** Immediate shutdown if it still runs (nothing of it is kept), the processes killed if that fails. */
        @Override
        public void close() {
            Process process = postmaster;
            if (process == null || !process.isAlive()) {
                return;
            }
            try {
                run("pg_ctl", List.of("stop", "-m", "immediate", "-w", "-t", "20", "-D", directory.toString()),
                        Duration.ofSeconds(25));
                awaitExit(process);
            } catch (RuntimeException stopFailed) {
                kill();
            }
        }

        @Override
        public String toString() {
            return "the " + role + " (port " + port + ")";
        }
    }

    private static void awaitExit(Process process) {
        try {
            if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("a postmaster did not exit in " + TIMEOUT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void await(String what, Callable<Boolean> condition) {
        Awaitility.await(what).atMost(TIMEOUT).pollDelay(Duration.ZERO).pollInterval(POLL).until(condition);
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path directory) {
        if (directory == null || !Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            System.err.println("could not delete " + directory + ": " + e);
        }
    }

    private static boolean runningAsRoot() {
        return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
    }

    private static boolean userNamespacesWork() {
        try {
            Process probe = new ProcessBuilder("unshare", "-U", "true").redirectErrorStream(true)
                    .redirectOutput(Redirect.DISCARD).start();
            return probe.waitFor(10, TimeUnit.SECONDS) && probe.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static synchronized Installation installation() {
        if (prepared == null) {
            prepared = Installation.prepare();
        }
        return prepared;
    }

    /**
     * The embedded database's PostgreSQL, how to run it, and a new cluster to copy. The embedded database unpacks its
     * binaries the first time it starts; one start of it, in a directory of its own, tells where they are (its
     * postmaster's executable) and leaves a cleanly stopped cluster made with its own initdb options, which every
     * server of every kit in this JVM starts from (a copy takes a fraction of an initdb's time). The directory goes
     * when the JVM exits.
     */
    private record Installation(Path bin, List<String> prefix, Path template) {

        /** The embedded database's lock file in its data directory; not part of a cluster. */
        static final String EMBEDDED_LOCK = "epg-lock";

        static Installation prepare() {
            Path scratch;
            try {
                scratch = Files.createTempDirectory("video-events-pg-cluster");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(scratch), "pg-cluster-cleanup"));
            try {
                Path data = scratch.resolve("data");
                Path bin;
                try (EmbeddedPostgres probe = EmbeddedPostgres.builder().setDataDirectory(data)
                        .setCleanDataDirectory(false).start()) {
                    long pid = Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).trim());
                    bin = ProcessHandle.of(pid).flatMap(handle -> handle.info().command()).map(Path::of)
                            .orElseThrow(() -> new IllegalStateException("the embedded postmaster's executable is unknown"))
                            .getParent();
                }
                for (String program : new String[] { "pg_ctl", "postgres" }) {
                    if (!Files.isExecutable(bin.resolve(program))) {
                        throw new IllegalStateException("no " + program + " beside the embedded postmaster in " + bin);
                    }
                }
                return new Installation(bin, runningAsRoot() ? List.of("unshare", "-U") : List.of(), data);
            } catch (IOException e) {
                deleteTree(scratch);
                throw new UncheckedIOException(e);
            }
        }
    }
}

package io.videoevents.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;

/**
 * The packaged application ({@code target/quarkus-app/quarkus-run.jar}, or the native executable when
 * one was built) as its own process, as a container would run it: for tests that send it signals or
 * run several replicas.
 */
public final class PackagedApp implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Process process;
    private final int port;

    private PackagedApp(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts the jar with these settings (as system properties) on a free port and waits until it is ready. */
    public static PackagedApp start(String name, Map<String, String> settings) {
        return start(name, settings, Map.of());
    }

    /** The same, with these environment variables added to the ones this process has. */
    public static PackagedApp start(String name, Map<String, String> settings, Map<String, String> environment) {
        return start(name, freePort(), settings, environment);
    }

    /**
     * The same on a given port: a replica started again where its predecessor listened, as a restarted pod
     * comes back behind the same endpoint of a proxy.
     */
    public static PackagedApp start(String name, int port, Map<String, String> settings, Map<String, String> environment) {
        try {
            Process process = launch(name, port, settings, environment);
            PackagedApp app = new PackagedApp(process, port);
            Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                    .until(() -> !process.isAlive() || app.readyStatus() == 200);
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited at start-up; see target/" + name + ".log");
            }
            return app;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts the jar with settings it must refuse: it has to exit by itself, with a non-zero code, before it
     * ever turns ready. Returns what it printed.
     */
    public static String startMustFail(String name, Map<String, String> settings) {
        int port = freePort();
        try {
            Process process = launch(name, port, settings, Map.of());
            try (PackagedApp app = new PackagedApp(process, port)) {
                Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                        .until(() -> !process.isAlive() || app.readyStatus() == 200);
                if (process.isAlive()) {
                    throw new AssertionError(name + " started although its settings should have stopped it; see target/"
                            + name + ".log");
                }
                if (process.exitValue() == 0) {
                    throw new AssertionError(name + " exited with 0; a refused start must exit with an error");
                }
            }
            return log(name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What the instance started under {@code name} has printed so far. */
    public static String log(String name) {
        try {
            return java.nio.file.Files.readString(Path.of("target", name + ".log"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether the tests run the native executable: after `./mvnw verify -Dnative`, otherwise the jar. */
    public static boolean runsNative() {
        String nativeImage = System.getProperty("native.image.path");
        return nativeImage != null && Path.of(nativeImage).toFile().canExecute();
    }

    /** The command that starts the packaged application (the native executable or the jar) on {@code port}. */
    public static List<String> command(int port, Map<String, String> settings) {
        List<String> command = new ArrayList<>();
        boolean runNative = runsNative();
        command.add(runNative ? System.getProperty("native.image.path") : Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Dquarkus.http.port=" + port);
        settings.forEach((key, value) -> command.add("-D" + key + "=" + value));
        if (!runNative) {
            command.add("-jar");
            command.add(Path.of("target", "quarkus-app", "quarkus-run.jar").toString());
        }
        return command;
    }

    private static Process launch(String name, int port, Map<String, String> settings, Map<String, String> environment)
            throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command(port, settings))
                .redirectErrorStream(true)
                .redirectOutput(Path.of("target", name + ".log").toFile());
        builder.environment().putAll(environment);
        return builder.start();
    }

    /** The operating system's id of the process. */
    public long pid() {
        return process.pid();
    }

    public int port() {
        return port;
    }

    public URI base() {
        return URI.create("http://localhost:" + port + "/");
    }

    /** HTTP status of /q/health/ready, or -1 if nothing answers. */
    public int readyStatus() {
        try {
            return HTTP.send(HttpRequest.newBuilder(base().resolve("q/health/ready")).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** SIGTERM, as Kubernetes sends it. */
    public void terminate() {
        process.destroy();
    }

    /** SIGKILL: the process vanishes without closing anything. */
    public void kill() {
        process.destroyForcibly();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Waits for the process to end; returns its exit code. */
    public int awaitExit(Duration within) {
        try {
            if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("the application did not exit within " + within);
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A port nothing listens on now. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package io.videoevents.bench;

import java.io.*;
import java.net.URI;
import java.net.http.*;
import java.nio.file.*;
import java.time.Duration;
import java.util.*;
import java.util.concurrent.*;

/** A service the compare scenario starts itself. */
final class ServiceProcess implements AutoCloseable {
    private static final List<ServiceProcess> RUNNING = new CopyOnWriteArrayList<>();
    // HTTP/1.1: the client's default h2c upgrade offer makes the bridge's upgrade handler drop the request
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(ServiceProcess::close), "bench-service-reaper"));
    }

    final String name;
    final int port;
    final Path log;
    final List<String> command;
    private final Process process;
    private final long startedAt = System.nanoTime();
    private double readySeconds = -1;

    private ServiceProcess(String name, int port, Path log, List<String> command, Map<String, String> env) {
        this.name = name;
        this.port = port;
        this.log = log;
        this.command = command;
        List<String> full = new ArrayList<>(List.of("setpriv", "--pdeathsig", "KILL", "--"));
        full.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(env);
        try {
            Files.createDirectories(log.getParent());
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
        RUNNING.add(this);
    }

    /** video-events from its packaged jar, on {@code database}, authentication off (the tool carries no tokens). */
    static ServiceProcess videoEvents(Path java, Path jar, List<String> jvmOptions, int port, String database, Path log) {
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(jar.toAbsolutePath().toString());
        return videoEvents("video-events", command, port, database, log);
    }

    /** video-events as its native executable, with the heap it carries (docs/native.md); otherwise as above. */
    static ServiceProcess nativeExecutable(Path executable, int port, String database, Path log) {
        return videoEvents("native", List.of(executable.toAbsolutePath().toString()), port, database, log);
    }

    private static ServiceProcess videoEvents(String name, List<String> command, int port, String database, Path log) {
        return new ServiceProcess(name, port, log, command, Map.of(
                "QUARKUS_HTTP_PORT", String.valueOf(port),
                "QUARKUS_DATASOURCE_JDBC_URL", "jdbc:postgresql://127.0.0.1:5432/" + database,
                "QUARKUS_DATASOURCE_REACTIVE_URL", "postgresql://127.0.0.1:5432/" + database,
                "QUARKUS_DATASOURCE_USERNAME", "postgres",
                "QUARKUS_DATASOURCE_PASSWORD", "postgres",
                "VIDEO_EVENTS_AUTH_ENABLED", "false",
                // plain text lines, which the soak reads for warnings and errors (the prod profile logs JSON)
                "QUARKUS_LOG_CONSOLE_JSON_ENABLED", "false",
                // not measured; spares the 10 s drain window when the run ends
                "QUARKUS_SHUTDOWN_DELAY_ENABLED", "false"));
    }

    /** The Node bridge through its own start script: {@code start.sh PORT DATABASE}. */
    static ServiceProcess bridge(Path startScript, int port, String database, Path log, Map<String, String> env) {
        return new ServiceProcess("bridge", port, log, List.of("bash", startScript.toAbsolutePath().toString(), String.valueOf(port),
                database), env);
    }

    long pid() {
        return process.pid();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** Waits until {@code GET /q/health/ready} answers 200; fails when the process exits or {@code seconds} pass. */
    ServiceProcess awaitReady(int seconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        HttpRequest ready = HttpRequest.newBuilder(uri().resolve("/q/health/ready")).timeout(Duration.ofSeconds(2)).build();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + " before it was ready; see " + log);
            }
            try {
                if (HTTP.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    readySeconds = (System.nanoTime() - startedAt) / 1e9;
                    return this;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            LoadTool.sleepMillis(100);
        }
        throw new IllegalStateException(name + " not ready within " + seconds + " s; see " + log);
    }

    /** From the start of the process to the first 200 from its readiness check. */
    double readySeconds() {
        return readySeconds;
    }

    /** SIGTERM to the process and everything it started, SIGKILL to what is left after 15 s. */
    @Override
    public void close() {
        RUNNING.remove(this);
        List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
        all.add(process.toHandle());
        all.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        for (ProcessHandle handle : all) {
            try {
                handle.onExit().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                handle.destroyForcibly();
            }
        }
    }

    /** A TCP port free on this machine right now, for a service to listen on. */
    static int freePort() {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}

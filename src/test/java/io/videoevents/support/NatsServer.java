package io.videoevents.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;

/**
 * Debian's nats-server (installed by the build, {@code src/test/scripts/install-nats.sh}) as a child process on a
 * loopback port of its own, never the machine's shared one. It can be killed and started again on the same port, as
 * a NATS pod restarts behind its Service.
 */
public final class NatsServer implements AutoCloseable {

    public static final Path BINARY = Path.of("/usr/sbin/nats-server");

    private final String name;
    private final int port;
    private Process process;
    private int starts;

    private NatsServer(String name, int port) {
        this.name = name;
        this.port = port;
    }

    /** Starts a server on a free port and waits until it accepts connections. */
    public static NatsServer start(String name) {
        NatsServer server = new NatsServer(name, PackagedApp.freePort());
        server.launch();
        return server;
    }

    private synchronized void launch() {
        try {
            Path log = Path.of("target", "nats-" + name + (starts == 0 ? "" : "-" + starts) + ".log");
            starts++;
            Files.createDirectories(log.getParent());
            Process started = new ProcessBuilder(BINARY.toString(), "-a", "127.0.0.1", "-p", String.valueOf(port), "-n", name)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            process = started;
            Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
                    .until(() -> !started.isAlive() || accepts());
            if (!started.isAlive()) {
                throw new IllegalStateException("nats-server exited at start-up: " + Files.readString(log));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The URL clients and the service use. */
    public String url() {
        return "nats://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** SIGKILL: every client loses its connection at once, and whatever was in flight is gone. */
    public synchronized void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Started again on the same port after {@link #kill()}, with no memory of subscriptions: clients subscribe again. */
    public synchronized void startAgain() {
        launch();
    }

    /** {@link #kill()}, then {@link #startAgain()}. */
    public synchronized void restart() {
        kill();
        launch();
    }

    private boolean accepts() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public synchronized void close() {
        if (process != null && process.isAlive()) {
            kill();
        }
    }
}

package io.videoevents.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.awaitility.Awaitility;

/**
 * Debian's nginx (installed by the build, {@code src/test/scripts/install-nginx.sh}) as a child process, in
 * front of replicas on loopback, with the project's ingress configuration
 * ({@code src/main/kubernetes/ingress-nginx.conf}) and a directory of its own under {@code target/}.
 */
public final class Nginx implements AutoCloseable {

    public static final Path BINARY = Path.of("/usr/sbin/nginx");
    public static final Path CONFIG = Path.of("src", "main", "kubernetes", "ingress-nginx.conf");

    private final Process process;
    private final int port;
    private final Path directory;

    private Nginx(Process process, int port, Path directory) {
        this.process = process;
        this.port = port;
        this.directory = directory;
    }

    /**
     * Starts nginx over the replicas listening on {@code upstreamPorts}. {@code maxFails} is nginx's
     * {@code max_fails} per server: 0 as ingress-nginx balances (never marked down), 1 as plain nginx's
     * default. Waits until it accepts connections.
     */
    public static Nginx start(String name, List<Integer> upstreamPorts, int maxFails, Duration readTimeout) {
        int port = freePort();
        Path directory = Path.of("target", "nginx-" + name).toAbsolutePath();
        try {
            Files.createDirectories(directory.resolve("tmp"));
            Files.createDirectories(directory.resolve("logs"));
            // a log of an earlier run would be counted as this one's
            Files.deleteIfExists(directory.resolve("logs/error.log"));
            String servers = upstreamPorts.stream()
                    .map(p -> "server 127.0.0.1:" + p + " max_fails=" + maxFails + ";")
                    .collect(Collectors.joining("\n        "));
            String config = Files.readString(CONFIG)
                    .replace("${UPSTREAM_SERVERS}", servers)
                    .replace("${LISTEN}", "127.0.0.1:" + port)
                    .replace("${READ_TIMEOUT}", readTimeout.toMillis() + "ms");
            Files.writeString(directory.resolve("nginx.conf"), config);
            Process process = new ProcessBuilder(BINARY.toString(), "-p", directory + "/", "-c", "nginx.conf",
                    "-e", "logs/error.log", "-g", "daemon off;")
                    .redirectErrorStream(true)
                    .redirectOutput(directory.resolve("nginx.out").toFile())
                    .start();
            Nginx nginx = new Nginx(process, port, directory);
            Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                    .until(() -> !process.isAlive() || nginx.accepts());
            if (!process.isAlive()) {
                throw new IllegalStateException("nginx exited at start-up: " + Files.readString(directory.resolve("nginx.out"))
                        + Files.readString(directory.resolve("logs/error.log")));
            }
            return nginx;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return port;
    }

    public URI base() {
        return URI.create("http://127.0.0.1:" + port + "/");
    }

    /** nginx's error log so far: refused and dropped upstream connections, "no live upstreams" … */
    public String errorLog() {
        try {
            return Files.readString(directory.resolve("logs/error.log"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** How many lines of the error log contain {@code text}. */
    public long errorLogCount(String text) {
        return errorLog().lines().filter(line -> line.contains(text)).count();
    }

    private boolean accepts() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** SIGTERM (nginx's fast shutdown) to the master, then SIGKILL to whatever is left, workers included. */
    @Override
    public void close() {
        List<ProcessHandle> workers = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        workers.forEach(ProcessHandle::destroyForcibly);
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

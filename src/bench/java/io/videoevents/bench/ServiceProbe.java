package io.videoevents.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.*;
import java.nio.file.*;
import java.time.Duration;
import java.util.*;
import java.util.concurrent.TimeUnit;

/** Reads the service from outside: RSS from /proc, live heap from its metrics after a full collection (jcmd). */
final class ServiceProbe {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI service;
    private final OptionalLong pid;

    ServiceProbe(URI service, OptionalLong pid) {
        this.service = service;
        this.pid = pid.isPresent() ? pid : listeningProcess(service.getPort());
    }

    /** One reading: resident set and live heap in bytes (-1 when unknown). */
    record Memory(long rss, long heap) {
    }

    OptionalLong pid() {
        return pid;
    }

    Memory memory() {
        collectGarbage();
        return new Memory(rss(), heap());
    }

    private void collectGarbage() {
        // a native executable has no attach listener: the heap figure is then whatever is in use
        pid.ifPresent(p -> Proc.jcmd(p, 60, "GC.run"));
    }

    /** CPU time the service has used so far, in seconds: in its own code (user) and in the kernel for it (system). */
    record Cpu(double user, double system) {
        Cpu minus(Cpu earlier) {
            return new Cpu(user - earlier.user, system - earlier.system);
        }

        double total() {
            return user + system;
        }
    }

    /** The service's CPU time so far, or null when unknown. */
    Cpu cpu() {
        return pid.isEmpty() ? null : Proc.cpu(pid.getAsLong());
    }

    private long rss() {
        return pid.isEmpty() ? -1 : Proc.rss(pid.getAsLong());
    }

    /** The sum of jvm_memory_used_bytes over the heap's pools. */
    private long heap() {
        return (long) metric("jvm_memory_used_bytes", "area=\"heap\"");
    }

    /** The sum of a Prometheus metric's samples whose labels contain {@code labelFilter}; -1 when unreadable. */
    double metric(String name, String labelFilter) {
        try {
            String metrics = HTTP.send(HttpRequest.newBuilder(service.resolve("/q/metrics")).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            double sum = 0;
            for (String line : metrics.split("\n")) {
                if ((line.startsWith(name + "{") || line.startsWith(name + " ")) && line.contains(labelFilter)) {
                    sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            return sum;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** The process that listens on {@code port}, found through /proc/net/tcp* and the processes' descriptors. */
    static OptionalLong listeningProcess(int port) {
        String hexPort = String.format(":%04X", port);
        String inode = null;
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            try {
                for (String line : Files.readAllLines(Path.of(table))) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length > 9 && f[1].endsWith(hexPort) && f[3].equals("0A")) {
                        inode = f[9];
                    }
                }
            } catch (IOException ignored) {
                // no such table
            }
        }
        if (inode == null) {
            return OptionalLong.empty();
        }
        String target = "socket:[" + inode + "]";
        try (var processes = Files.list(Path.of("/proc"))) {
            for (Path process : processes.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try (var fds = Files.list(process.resolve("fd"))) {
                    for (Path fd : fds.toList()) {
                        if (target.equals(Files.readSymbolicLink(fd).toString())) {
                            return OptionalLong.of(Long.parseLong(process.getFileName().toString()));
                        }
                    }
                } catch (IOException ignored) {
                    // gone, or not ours to read
                }
            }
        } catch (IOException ignored) {
            // no /proc
        }
        return OptionalLong.empty();
    }
}

package io.videoevents.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.util.*;
import java.util.concurrent.TimeUnit;

/** Readings of any process of this machine from /proc (a JVM, Node, the tool itself), and {@code jcmd} for a JVM. */
final class Proc {

    private Proc() {
    }

    static long self() {
        return ProcessHandle.current().pid();
    }

    /** CPU time used so far by {@code pid} (all its threads), or null when it is gone. */
    static ServiceProbe.Cpu cpu(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            // the fields after the command name, which is in parentheses and may hold spaces; utime, stime in USER_HZ = 100
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return new ServiceProbe.Cpu(Long.parseLong(f[11]) / 100.0, Long.parseLong(f[12]) / 100.0);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** CPU seconds of {@code pid} and everything it started that is still running; 0 when gone. */
    static double treeCpu(long pid) {
        return ProcessHandle.of(pid).stream().flatMap(root -> java.util.stream.Stream.concat(root.descendants(), java.util.stream.Stream.of(root)))
                .map(h -> cpu(h.pid())).filter(c -> c != null).mapToDouble(ServiceProbe.Cpu::total).sum();
    }

    /** VmRSS of {@code pid} in bytes, or -1. */
    static long rss(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return -1;
    }

    /** TCP connections whose local port is {@code port}, in state ESTABLISHED or closing (not TIME_WAIT, closed or LISTEN). */
    static int connectionsOn(int port) {
        String hexPort = String.format(":%04X", port);
        int count = 0;
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            try {
                for (String line : Files.readAllLines(Path.of(table))) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length > 3 && f[1].endsWith(hexPort) && !List.of("0A", "06", "07").contains(f[3])) {
                        count++;
                    }
                }
            } catch (IOException ignored) {
                // no such table
            }
        }
        return count;
    }

    /** Runs {@code jcmd pid args...} and returns its output (empty when it failed or took longer than {@code seconds}). */
    static String jcmd(long pid, long seconds, String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                String.valueOf(pid)));
        command.addAll(List.of(args));
        Path out = null;
        try {
            out = Files.createTempFile("bench-jcmd", ".txt");
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return "";
            }
            return Files.readString(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        } finally {
            if (out != null) {
                out.toFile().delete();
            }
        }
    }
}

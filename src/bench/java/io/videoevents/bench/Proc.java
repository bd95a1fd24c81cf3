package io.videoevents.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Readings of any process of this machine from /proc, whatever it runs (a JVM, Node, the tool
 * itself): CPU time, resident memory, TCP connections on a port; and {@code jcmd} for a JVM.
 */
final class Proc {

    private Proc() {
    }

    /** This process. */
    static long self() {
        return ProcessHandle.current().pid();
    }

    /** CPU time used so far by {@code pid} (all its threads), or null when it is gone. */
    static ServiceProbe.Cpu cpu(long pid) {
        try {
            return cpuOf(Files.readString(Path.of("/proc", String.valueOf(pid), "stat")));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** User and system time in a process's or thread's {@code stat} line (USER_HZ = 100). */
    static ServiceProbe.Cpu cpuOf(String stat) {
        // the fields after the command name, which is in parentheses and may hold spaces
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return new ServiceProbe.Cpu(Long.parseLong(f[11]) / 100.0, Long.parseLong(f[12]) / 100.0); // utime, stime
    }

    /** The command name in a {@code stat} line. */
    static String commandOf(String stat) {
        return stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    }

    /** CPU seconds (user + system) of {@code pid} and everything it started that is still running; 0 when gone. */
    static double treeCpu(long pid) {
        double total = 0;
        java.util.Optional<ProcessHandle> root = ProcessHandle.of(pid);
        if (root.isEmpty()) {
            return 0;
        }
        List<ProcessHandle> all = new ArrayList<>(root.get().descendants().toList());
        all.add(root.get());
        for (ProcessHandle handle : all) {
            ServiceProbe.Cpu cpu = cpu(handle.pid());
            if (cpu != null) {
                total += cpu.total();
            }
        }
        return total;
    }

    /** CPU seconds the whole machine has been busy (all CPUs: everything but idle and I/O wait), from /proc/stat. */
    static double machineBusy() {
        long[] f = cpuTicks();
        if (f == null) {
            return Double.NaN;
        }
        long total = 0;
        for (int i = 1; i < f.length && i <= 8; i++) {
            total += f[i];
        }
        return (total - f[4] - f[5]) / 100.0;
    }

    /**
     * The first line of /proc/stat (all CPUs) in ticks; index 0 unused, then user, nice, system, idle, iowait,
     * irq, softirq, steal, ...; null when it cannot be read.
     */
    private static long[] cpuTicks() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long[] ticks = new long[f.length];
            for (int i = 1; i < f.length; i++) {
                ticks[i] = Long.parseLong(f[i]);
            }
            return ticks;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** CPU seconds the machine spent so far serving interrupts and softirqs, and stolen by the hypervisor, from /proc/stat. */
    record Machine(double interrupts, double steal) {
    }

    static Machine machineParts() {
        long[] f = cpuTicks();
        return f == null || f.length < 8 ? new Machine(Double.NaN, Double.NaN)
                : new Machine((f[6] + f[7]) / 100.0, f.length > 8 ? f[8] / 100.0 : 0);
    }

    /**
     * CPU seconds so far of every process of the machine but those in {@code except} and their descendants,
     * by "name (pid)": who else used the machine during a step.
     */
    static java.util.Map<String, Double> processesExcept(long... except) {
        java.util.Set<Long> skip = new java.util.HashSet<>();
        for (long pid : except) {
            skip.add(pid);
            ProcessHandle.of(pid).ifPresent(h -> h.descendants().forEach(d -> skip.add(d.pid())));
        }
        java.util.Map<String, Double> processes = new java.util.HashMap<>();
        try (var all = Files.list(Path.of("/proc"))) {
            for (Path dir : all.toList()) {
                String name = dir.getFileName().toString();
                if (name.isEmpty() || !Character.isDigit(name.charAt(0)) || skip.contains(Long.parseLong(name))) {
                    continue;
                }
                try {
                    String stat = Files.readString(dir.resolve("stat"));
                    processes.put(commandOf(stat) + " (" + name + ")", cpuOf(stat).total());
                } catch (IOException | RuntimeException ignored) {
                    // the process ended
                }
            }
        } catch (IOException ignored) {
            // no /proc: nothing to report
        }
        return processes;
    }

    /** CPU seconds so far of each thread of {@code pid}, by "name (tid)"; empty when it is gone. */
    static java.util.Map<String, Double> threads(long pid) {
        java.util.Map<String, Double> threads = new java.util.HashMap<>();
        try (var tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    threads.put(commandOf(stat) + " (" + task.getFileName() + ")", cpuOf(stat).total());
                } catch (IOException | RuntimeException ignored) {
                    // the thread ended
                }
            }
        } catch (IOException ignored) {
            // the process ended
        }
        return threads;
    }

    /** The busiest threads between two {@link #threads} readings over {@code seconds}: "name (tid) NN %" of one core. */
    static List<String> busiest(java.util.Map<String, Double> before, java.util.Map<String, Double> after, double seconds, int top) {
        return after.entrySet().stream()
                .map(e -> java.util.Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0.0)))
                .filter(e -> e.getValue() > 0)
                .sorted(java.util.Map.Entry.<String, Double>comparingByValue().reversed())
                .limit(top)
                .map(e -> String.format(java.util.Locale.ROOT, "%s %.0f %%", e.getKey(), 100 * e.getValue() / seconds))
                .toList();
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

    /** TCP connections of this machine whose local port is {@code port}, in state ESTABLISHED or closing (not TIME_WAIT, not LISTEN). */
    static int connectionsOn(int port) {
        String hexPort = String.format(":%04X", port);
        int count = 0;
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            try {
                for (String line : Files.readAllLines(Path.of(table))) {
                    String[] f = line.trim().split("\\s+");
                    // st: 01 established, 02-05 and 08-09, 0B closing states; 06 time-wait, 07 closed, 0A listen
                    if (f.length > 3 && f[1].endsWith(hexPort) && !f[3].equals("0A") && !f[3].equals("06") && !f[3].equals("07")) {
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
                try {
                    Files.deleteIfExists(out);
                } catch (IOException ignored) {
                    // a temporary file
                }
            }
        }
    }
}

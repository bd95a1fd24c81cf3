package io.videoevents.bench;

import java.io.*;
import java.nio.file.*;
import java.sql.*;
import java.util.*;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import com.fasterxml.jackson.databind.*;


/** The load tool: drives a running video-events instance and its database and reports what clients saw (BENCHMARKS.md). */
public final class LoadTool {

    private LoadTool() {
    }

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        Report report = run(options);
        System.exit(report.clean() ? 0 : 1);
    }

    /** Runs a scenario, prints its report and writes it as JSON under --out. */
    public static Report run(String... args) {
        return run(Options.parse(args));
    }

    static Report run(Options options) {
        Report report = switch (options.scenario()) {
            case "load", "idle" -> sockets(options);
            case "notify-rate" -> notifyRate(options);
            case "listen-per-socket" -> listenPerSocket(options);
            case "compare" -> {
                Compare.Result result = Compare.run(options);
                write(options, result);
                yield Report.lines(options.scenario(), result.description(), List.of(), result.clean());
            }
            case "soak" -> {
                Soak.Result result = Soak.run(options);
                write(options, result);
                yield Report.lines(options.scenario(), result.description(), List.of(), result.clean());
            }
            default -> throw new IllegalArgumentException("unknown scenario " + options.scenario());
        };
        if (options.scenario().equals("compare") || options.scenario().equals("soak")) {
            return report;
        }
        System.out.println(report.text());
        write(options, report);
        return report;
    }

    /** Writes {@code value} as {@code <out>/<label>.json}. */
    private static void write(Options options, Object value) {
        try {
            Files.createDirectories(options.out());
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValue(options.out().resolve(options.label() + ".json").toFile(), value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code load} and {@code idle}: sockets, and for load the driven steps. */
    private static Report sockets(Options options) {
        boolean load = options.scenario().equals("load");
        ServiceProbe probe = new ServiceProbe(options.service(), options.servicePid());
        List<StepFigures> steps = new ArrayList<>();
        try (JdbcWorkers driver = workers(options)) {
            CommitLog commits = driver.prepare(Fleet.ids(options, options.videos()));
            ServiceProbe.Memory start = probe.memory();
            List<String> connectionsAtStart = driver.serviceConnections();
            try (Fleet receivers = new Fleet(options)) {
                Fleet.Connected connected = receivers.connect();
                ServiceProbe.Memory withSockets = probe.memory();
                List<String> connectionsWithSockets = driver.serviceConnections();
                List<JdbcWorkers.Step> driven = new ArrayList<>();
                List<ServiceProbe.Cpu> cpu = new ArrayList<>();
                List<Double> allocated = new ArrayList<>();
                if (load) {
                    if (options.warmupSeconds() > 0) {
                        driver.run(options.rates().get(0), options.warmupSeconds(), -1);
                    }
                    for (int i = 0; i < options.rates().size(); i++) {
                        ServiceProbe.Cpu cpuBefore = probe.cpu();
                        double allocatedBefore = probe.metric("jvm_gc_memory_allocated_bytes_total", "");
                        driven.add(driver.run(options.rates().get(i), options.durationSeconds(), i));
                        cpu.add(cpuBefore == null ? null : probe.cpu().minus(cpuBefore));
                        allocated.add(allocatedBefore < 0 ? -1 : probe.metric("jvm_gc_memory_allocated_bytes_total", "") - allocatedBefore);
                    }
                } else {
                    sleep(options.holdSeconds());
                }
                ReceiveResult result = receivers.collect(commits, load ? options.drainSeconds() : 0, driven.size());
                ServiceProbe.Memory end = probe.memory();
                List<String> connectionsAtEnd = driver.serviceConnections();
                for (int i = 0; i < driven.size(); i++) {
                    steps.add(StepFigures.of(driven.get(i), result.latency[i], result.fromSend[i], cpu.get(i), allocated.get(i)));
                }
                Report report = new Report(options.scenario(), describe(options), connected, probe.pid().orElse(-1), start,
                        withSockets, end, perSocket(start, withSockets, connected.ready()), connectionsAtStart.size(),
                        connectionsWithSockets.size(), connectionsAtEnd.size(), connectionsAtEnd, driver.maxConnections(), steps,
                        result.expected, result.received, result.lost, result.duplicates, result.outOfOrder, result.unmatched,
                        result.beforeAck, result.errors, result.unexpectedCloses, result.samples, List.of(), null);
                return report;
            }
        }
    }

    /** {@code notify-rate}: the most notifying commits PostgreSQL takes, the same without the trigger's work, and whether the listener keeps up. */
    private static Report notifyRate(Options options) {
        ServiceProbe probe = new ServiceProbe(options.service(), options.servicePid());
        List<String> lines = new ArrayList<>();
        try (JdbcWorkers driver = workers(options)) {
            driver.prepare(Fleet.ids(options, options.videos()));
            double before = probe.metric("video_events_notifications_total", "");
            JdbcWorkers.Step notifying = driver.maxRate(JdbcWorkers.Kind.NOTIFY, options.durationSeconds());
            long endedAt = System.nanoTime();
            double target = before + notifying.committed();
            double received = before;
            while (received < target && System.nanoTime() - endedAt < TimeUnit.SECONDS.toNanos(options.drainSeconds())) {
                sleepMillis(20);
                received = probe.metric("video_events_notifications_total", "");
            }
            double catchUpMs = (System.nanoTime() - endedAt) / 1e6;
            JdbcWorkers.Step touch = driver.maxRate(JdbcWorkers.Kind.TOUCH, options.durationSeconds());
            JdbcWorkers.Step plain = driver.maxRate(JdbcWorkers.Kind.PLAIN, options.durationSeconds());
            lines.add(String.format(Locale.ROOT, "notifying status UPDATEs (both triggers, log row, pg_notify): %,.0f commits/s (%d writers, %d s, %d failed)",
                    notifying.rate(), options.writers(), options.durationSeconds(), notifying.failed()));
            lines.add(String.format(Locale.ROOT, "the listener received %,.0f of %,d notifications; caught up %.0f ms after the last commit",
                    received - before, notifying.committed(), catchUpMs));
            lines.add(String.format(Locale.ROOT, "same row, status unchanged (version trigger only, no log, no notify): %,.0f commits/s",
                    touch.rate()));
            lines.add(String.format(Locale.ROOT, "same UPDATE on a copy of the table without triggers: %,.0f commits/s", plain.rate()));
            return Report.lines(options.scenario(), describe(options), lines, received - before == notifying.committed());
        }
    }

    private static JdbcWorkers workers(Options options) {
        return new JdbcWorkers(JdbcWorkers.jdbcUrl(options.database()), options.writers());
    }

    /** {@code listen-per-socket}: a PostgreSQL connection that LISTENs per socket, opened until the server refuses one. */
    private static Report listenPerSocket(Options options) {
        List<Connection> connections = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        String url = JdbcWorkers.jdbcUrl(options.database());
        String refusal = "none (stopped at --sockets)";
        String before;
        try (JdbcWorkers driver = new JdbcWorkers(url, 1)) {
            before = "max_connections: " + driver.maxConnections() + ", held by the video-events service: "
                    + driver.serviceConnections().size();
        }
        long started = System.nanoTime();
        try {
            while (connections.size() < options.sockets()) {
                try {
                    Connection connection = DriverManager.getConnection(url);
                    connections.add(connection);
                    try (Statement statement = connection.createStatement()) {
                        statement.execute("LISTEN video_status_events");
                    }
                } catch (SQLException e) {
                    refusal = e.getMessage();
                    break;
                }
            }
            lines.add(String.format(Locale.ROOT, "LISTEN connections opened before PostgreSQL refused: %d (in %.1f s)", connections.size(),
                    (System.nanoTime() - started) / 1e9));
            lines.add("refusal: " + refusal);
            lines.add(before);
        } finally {
            for (Connection connection : connections) {
                try {
                    connection.close();
                } catch (SQLException ignored) {
                    // closing anyway
                }
            }
        }
        return Report.lines(options.scenario(), describe(options), lines, true);
    }

    private static Report.PerSocket perSocket(ServiceProbe.Memory before, ServiceProbe.Memory after, int sockets) {
        if (sockets == 0) {
            return new Report.PerSocket(-1, -1);
        }
        return new Report.PerSocket(before.heap() < 0 || after.heap() < 0 ? -1 : (after.heap() - before.heap()) / sockets,
                before.rss() < 0 || after.rss() < 0 ? -1 : (after.rss() - before.rss()) / sockets);
    }

    private static String describe(Options o) {
        int multiplexed = o.sockets() - (int) Math.round(o.sockets() * (1 - o.multiplexedShare()));
        String each = o.videosPerSocket() == 0 ? "following the feed" : "× " + o.videosPerSocket() + " videos";
        String sockets = String.format(Locale.ROOT, "%,d sockets (%,d on /videos/{id}/events, %,d on /events %s) over %,d videos; "
                + "%d source address(es); ", o.sockets(), o.sockets() - multiplexed, multiplexed, each, o.videos(), o.sourceAddresses());
        String driven = String.format(Locale.ROOT, "rates %s/s × %d s (warm-up %d s), %d writers; ", o.rates(), o.durationSeconds(),
                o.warmupSeconds(), o.writers());
        return o.scenario() + ": " + switch (o.scenario()) {
            case "load" -> sockets + driven;
            case "idle" -> sockets + "held " + o.holdSeconds() + " s; ";
            case "notify-rate" -> String.format(Locale.ROOT, "%d writers, %d s per kind of UPDATE; ", o.writers(), o.durationSeconds());
            default -> String.format(Locale.ROOT, "up to %,d connections; ", o.sockets());
        } + "service " + o.service();
    }

    private static void sleep(int seconds) {
        sleepMillis(TimeUnit.SECONDS.toMillis(seconds));
    }

    /** The local address client {@code a} (1-based) of {@code count} binds to, or null to leave it to the kernel. */
    static String sourceAddress(int a, int count) {
        return count <= 1 ? null : "127.0.0." + a;
    }

    /** Polls {@code done} every 50 ms for at most {@code seconds}; whether it came true. */
    static boolean await(java.util.function.BooleanSupplier done, long seconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() >= deadline) {
                return false;
            }
            sleepMillis(50);
        }
        return true;
    }

    static void sleepMillis(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One step's figures, latencies in milliseconds. */
    public record StepFigures(int targetChangesPerSecond, double changesPerSecond, double deliveriesPerSecond, long deliveries,
            double p50Ms, double p95Ms, double p99Ms, double p999Ms, double maxMs, double sentP50Ms, double sentP99Ms,
            double sentMaxMs, double serviceCpuPercent, double serviceUserMicrosPerDelivery, double serviceSystemMicrosPerDelivery,
            double serviceAllocatedBytesPerDelivery) {

        static StepFigures of(JdbcWorkers.Step step, Histogram h, Histogram fromSend, ServiceProbe.Cpu cpu, double allocated) {
            long n = h.getTotalCount();
            return new StepFigures(step.target(), step.rate(), n / step.seconds(), n,
                    ms(h, 50), ms(h, 95), ms(h, 99), ms(h, 99.9), h.getMaxValue() / 1000.0, ms(fromSend, 50), ms(fromSend, 99),
                    fromSend.getMaxValue() / 1000.0, cpu == null ? -1 : 100 * cpu.total() / step.seconds(),
                    cpu == null || n == 0 ? -1 : cpu.user() * 1e6 / n, cpu == null || n == 0 ? -1 : cpu.system() * 1e6 / n,
                    allocated < 0 || n == 0 ? -1 : allocated / n);
        }

        private static double ms(Histogram h, double percentile) {
            return h.getValueAtPercentile(percentile) / 1000.0;
        }
    }
}

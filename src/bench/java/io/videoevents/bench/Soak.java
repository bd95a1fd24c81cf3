package io.videoevents.bench;

import java.io.*;
import java.nio.file.*;
import java.util.*;
import java.util.concurrent.*;
import java.util.regex.*;

/**
 * {@code soak}: well-behaved sockets ({@link SteadyClients}) beside misbehaving ones ({@link Misbehaving}) while workers
 * ({@link SoakWorkers}) change, delete and re-own videos, in a warm-up and a soak phase; then the gauges must be back at 0,
 * the live heap within the tolerance, nothing lost and no ERROR logged.
 */
final class Soak {

    /** A WARN or ERROR line of the service's console log: time, level, then [logger] (thread) message. */
    private static final Pattern LOG_LINE = Pattern.compile("^\\S+ \\S+\\s+(ERROR|WARN)\\s+(.*)$");
    private final Options options;
    private final Options.SoakOptions s;
    private final OptionalLong postmaster = ServiceProbe.listeningProcess(5432);
    private final StringBuilder text = new StringBuilder();

    private Soak(Options options) {
        this.options = options;
        this.s = options.soak();
    }

    /** A reading every 10 s while a phase runs. */
    record Sample(double seconds, double connections, double subscriptions, long heapUsed, long rss, double serviceCpuPercent) {
    }

    /** CPU over a phase, in % of one core; the tool's includes its misbehaving sockets'. */
    record Cpu(double service, double tool, double misbehaving, double postgres) {
    }

    /** The service once every socket was closed; the live heap from two class histograms 2 s apart. */
    record Settled(double secondsToZero, double connections, double subscriptions, int tcpConnections, long liveHeap,
            long liveHeapSecondReading, long heapAfterGcMetric, long rss, String histogram) {
        boolean zero() {
            return connections == 0 && subscriptions == 0;
        }
    }

    record Phase(String name, int seconds, double openSeconds, SoakWorkers.Done workers, SteadyClients.Checked steady,
            boolean caughtUp, Map<String, Long> misbehaving, double slowClientCloses, Cpu cpu, List<Sample> samples, long peakRss,
            Settled settled) {
    }

    record Result(String description, String command, List<String> jvmOptions, long servicePid, Phase warmup, Phase soak,
            double heapGrowthPercent, Map<String, Boolean> checks, long errorLines, long warnLines, List<String> logSamples,
            String text, boolean clean) {
    }

    static Result run(Options options) {
        return new Soak(options).run();
    }

    private Result run() {
        if (!Files.isRegularFile(s.jar())) {
            throw new IllegalStateException(s.jar() + " not found: build it first with ./mvnw -B package -DskipTests");
        }
        String database = "bench_soak_" + ProcessHandle.current().pid();
        ScratchDatabases.create(database);
        List<String> jvm = new ArrayList<>(s.jvmOptions());
        jvm.add("-Dvideo-events.socket.ping-interval=" + s.pingInterval());
        jvm.add("-Dvideo-events.socket.pong-timeout=" + s.pongTimeout());
        Path log = options.out().resolve(options.label() + "-service.log");
        int port = ServiceProcess.freePort();
        String[] ids = Fleet.ids(options, options.videos());
        String description = String.format(Locale.ROOT, "soak: %,d well-behaved sockets (%,d on /videos/{id}/events, %,d on /events × 4 "
                + "videos) beside %,d misbehaving ones; %,d videos, %d of them with %,d versions; %,d worker statements/s (%d deletions "
                + "and %d owner changes a minute, the rest status changes) on %d sessions; %d s after a %d s warm-up of the same",
                options.sockets(), (options.sockets() + 1) / 2, options.sockets() / 2, s.misbehaving(), options.videos(), s.longVideos(),
                s.longHistory(), options.rates().get(0), s.deletesPerMinute(), s.ownerChangesPerMinute(), options.writers(),
                options.durationSeconds(), options.warmupSeconds());
        line("== video-events %s", description);
        line("service: %s, JVM options %s", s.jar(), String.join(" ", jvm));
        line("heartbeat shortened for the run (system properties of the jar): ping interval %s, pong timeout %s (shipped: 25s, 60s)",
                s.pingInterval(), s.pongTimeout());
        try (ServiceProcess service = ServiceProcess.videoEvents(s.serviceJava(), s.jar(), jvm, port, database, log)) {
            service.awaitReady(180);
            line("service ready in %.1f s (pid %d, port %d); log %s", service.readySeconds(), service.pid(), port, log);
            ServiceProbe probe = new ServiceProbe(service.uri(), OptionalLong.of(service.pid()));
            String jdbc = "jdbc:postgresql://127.0.0.1:5432/" + database + "?user=postgres&ApplicationName=" + JdbcWorkers.APPLICATION_NAME;
            try (SoakWorkers workers = new SoakWorkers(jdbc, options.writers(), ids, s.longVideos())) {
                long created = System.nanoTime();
                workers.create(s.longHistory());
                line("%,d videos created, %d with %,d versions, in %.1f s", ids.length, s.longVideos(), s.longHistory(),
                        (System.nanoTime() - created) / 1e9);
                Phase warmup = phase("warm-up", options.warmupSeconds(), service, probe, workers, ids);
                Phase soak = phase("soak", options.durationSeconds(), service, probe, workers, ids);
                return conclude(description, service, jvm, warmup, soak, log);
            }
        } finally {
            ScratchDatabases.drop(database);
        }
    }

    private Phase phase(String name, int seconds, ServiceProcess service, ServiceProbe probe, SoakWorkers workers, String[] ids) {
        long pid = service.pid();
        line("%n-- %s: %d s", name, seconds);
        SoakWorkers.Streams streams = workers.begin();
        try (SteadyClients steady = new SteadyClients(service.uri(), ids, options.sockets(), 4, options.sourceAddresses())) {
            double openSeconds = steady.open(200, 120);
            line("well-behaved sockets watching: %s", openSeconds < 0 ? "NOT ALL within 120 s" : String.format(Locale.ROOT, "all in %.1f s", openSeconds));
            List<Sample> samples = new CopyOnWriteArrayList<>();
            long[] peakRss = { Proc.rss(pid) };
            double slowBefore = probe.metric("video_events_slow_client_closes_total", "");
            Misbehaving bad = new Misbehaving(options, service.uri());
            bad.start();
            long started = System.nanoTime();
            double[] before = cpuReading(pid, bad);
            double[] last = { before[0], started };
            ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
            sampler.scheduleAtFixedRate(() -> {
                ServiceProbe.Cpu c = Proc.cpu(pid);
                long now = System.nanoTime();
                double cpuNow = c == null ? Double.NaN : c.total();
                long rss = Proc.rss(pid);
                peakRss[0] = Math.max(peakRss[0], rss);
                samples.add(new Sample((now - started) / 1e9, probe.metric("video_events_connections", ""),
                        probe.metric("video_events_subscriptions", ""), (long) probe.metric("jvm_memory_used_bytes", "area=\"heap\""),
                        rss, 100 * (cpuNow - last[0]) / ((now - last[1]) / 1e9)));
                last[0] = cpuNow;
                last[1] = now;
            }, 10, 10, TimeUnit.SECONDS);
            SoakWorkers.Done done;
            Map<String, Long> misbehaving;
            double[] after;
            double elapsed;
            try {
                done = workers.run(options.rates().get(0), seconds, s.deletesPerMinute(), s.ownerChangesPerMinute());
            } finally {
                sampler.shutdown();
                LoadTool.await(sampler::isTerminated, 60);
                after = cpuReading(pid, bad);
                elapsed = (System.nanoTime() - started) / 1e9;
                misbehaving = bad.stop(20);
            }
            Cpu cpu = new Cpu(100 * (after[0] - before[0]) / elapsed, 100 * (after[1] - before[1]) / elapsed,
                    100 * (after[2] - before[2]) / elapsed, 100 * (after[3] - before[3]) / elapsed);
            double slowClosed = probe.metric("video_events_slow_client_closes_total", "") - slowBefore;
            line("workers: %,d status changes, %,d deletions, %,d creations again, %,d owner changes in %.1f s (%,.0f statements/s); "
                    + "%d failed, %d versions not the next one", done.changes(), done.deletes(), done.creates(), done.ownerChanges(),
                    done.seconds(), (done.changes() + done.deletes() + done.creates() + done.ownerChanges()) / done.seconds(), done.failed(),
                    done.unexpectedVersions());
            line("CPU over the phase (one core = 100 %%; %d cores): service %.0f %%, tool %.0f %% (misbehaving sockets %.0f %% of it), "
                    + "PostgreSQL %.0f %%", Runtime.getRuntime().availableProcessors(), cpu.service(), cpu.tool(), cpu.misbehaving(),
                    cpu.postgres());
            line("every 10 s: seconds, connections, subscriptions, heap in use (not collected), RSS, service CPU");
            samples.forEach(x -> line("  %5.0f %,7.0f %,9.0f %8s %8s %5.0f %%", x.seconds(), x.connections(), x.subscriptions(),
                    mib(x.heapUsed()), mib(x.rss()), x.serviceCpuPercent()));
            line("sockets the service closed with 4408 (video_events_slow_client_closes_total): %,.0f", slowClosed);
            line("misbehaving sockets: how each connection ended, and the service's answers (counted under the act or ending "
                    + "running when they arrived, so a late answer to one act may count under the next)");
            misbehaving.forEach((key, count) -> line("  %-100s %,9d", key, count));
            boolean caughtUp = steady.awaitCaughtUp(streams, options.drainSeconds());
            SteadyClients.Checked c = steady.check(streams);
            line("well-behaved sockets: %,d sockets watching %,d videos in all; %,d versions expected, %,d received; lost %,d, lost at a "
                    + "deletion %,d, duplicated %,d, out of order %,d, deletions missed %,d, protocol errors %,d; %,d versions passed by "
                    + "a stream that ended while its socket was away (documented: resync or not_found); caught up at the end: %s; "
                    + "commit → received (replays after a reconnect included) p50 %.1f ms, p99 %.1f ms, max %.1f ms",
                    c.sockets(), c.watched(), c.expected(), c.received(), c.lost(), c.lostAtDeletion(), c.duplicates(), c.outOfOrder(),
                    c.missedDeletions(), c.protocolErrors(), c.skippedWhileAway(), caughtUp ? "yes" : "NO", c.latencyP50Ms(),
                    c.latencyP99Ms(), c.latencyMaxMs());
            c.events().forEach((key, count) -> line("  %-100s %,9d", key, count));
            c.samples().forEach(sample -> line("  ! %s", sample));
            steady.closeAll(30);
            return new Phase(name, seconds, openSeconds, done, c, caughtUp, misbehaving, slowClosed, cpu, List.copyOf(samples), peakRss[0],
                    settle(name, service, probe));
        }
    }

    /** Service, tool, misbehaving sockets' and PostgreSQL CPU seconds so far. */
    private double[] cpuReading(long pid, Misbehaving bad) {
        ServiceProbe.Cpu service = Proc.cpu(pid);
        ServiceProbe.Cpu tool = Proc.cpu(Proc.self());
        return new double[] { service == null ? Double.NaN : service.total(), tool == null ? Double.NaN : tool.total(), bad.cpu(),
                postmaster.isPresent() ? Proc.treeCpu(postmaster.getAsLong()) : Double.NaN };
    }

    /** Once every socket is closed: waits for the gauges to reach 0, then reads the live heap (class histogram, twice). */
    private Settled settle(String name, ServiceProcess service, ServiceProbe probe) {
        long started = System.nanoTime();
        double[] gauges = new double[2];
        LoadTool.await(() -> (gauges[0] = probe.metric("video_events_connections", "")) == 0
                & (gauges[1] = probe.metric("video_events_subscriptions", "")) == 0, options.drainSeconds());
        double toZero = (System.nanoTime() - started) / 1e9;
        int tcp = Proc.connectionsOn(service.port);
        LoadTool.sleepMillis(2000);
        Path histogram = options.out().resolve(options.label() + "-histogram-after-" + name + ".txt");
        String first = Proc.jcmd(service.pid(), 180, "GC.class_histogram");
        write(histogram, first);
        LoadTool.sleepMillis(2000);
        String second = Proc.jcmd(service.pid(), 180, "GC.class_histogram");
        ServiceProbe.Memory memory = probe.memory();
        write(options.out().resolve(options.label() + "-heap-info-after-" + name + ".txt"), Proc.jcmd(service.pid(), 60, "GC.heap_info"));
        Settled settled = new Settled(toZero, gauges[0], gauges[1], tcp, histogramTotal(first), histogramTotal(second), memory.heap(),
                memory.rss(), histogram.toString());
        line("after every socket closed: video_events_connections %.0f, video_events_subscriptions %.0f (%s after %.1f s); TCP "
                + "connections on the service's port %d", gauges[0], gauges[1], settled.zero() ? "reached 0" : "NOT 0", toZero, tcp);
        line("live heap after a full GC: %,d B (class histogram; again 2 s later %,d B), heap metric after GC.run %,d B; RSS %s",
                settled.liveHeap(), settled.liveHeapSecondReading(), settled.heapAfterGcMetric(), mib(settled.rss()));
        return settled;
    }

    private Result conclude(String description, ServiceProcess service, List<String> jvm, Phase warmup, Phase soak, Path log) {
        long before = Math.min(warmup.settled().liveHeap(), warmup.settled().liveHeapSecondReading());
        long after = Math.min(soak.settled().liveHeap(), soak.settled().liveHeapSecondReading());
        double growth = 100.0 * (after - before) / before;
        long[] levels = new long[2];
        // lines of the same kind counted together: level, logger, and the message with ids and numbers blanked
        Map<String, Long> kinds = new TreeMap<>();
        try (var lines = Files.lines(log)) {
            lines.map(LOG_LINE::matcher).filter(Matcher::matches).forEach(m -> {
                levels[m.group(1).equals("ERROR") ? 0 : 1]++;
                String kind = (m.group(1) + " " + m.group(2).replaceFirst("^(\\[[^\\]]*\\]) \\([^)]*\\) ", "$1 ")).replaceAll("[0-9a-f]{8}-[0-9a-f-]{27}", "…")
                        .replaceAll("\\d+", "N");
                kinds.merge(kind.length() > 200 ? kind.substring(0, 200) + "…" : kind, 1L, Long::sum);
            });
        } catch (IOException | UncheckedIOException e) {
            throw new IllegalStateException("cannot read " + log, e);
        }
        List<String> logSamples = new ArrayList<>();
        kinds.forEach((kind, count) -> logSamples.add(String.format(Locale.ROOT, "%,6d × %s", count, kind)));
        Map<String, Boolean> checks = new LinkedHashMap<>();
        checks.put("video_events_connections and video_events_subscriptions 0 once all closed (within " + options.drainSeconds() + " s)",
                soak.settled().zero());
        checks.put(String.format(Locale.ROOT, "live heap after a full GC within %.0f %% of the one after the warm-up", s.heapTolerancePercent()),
                growth <= s.heapTolerancePercent());
        checks.put("well-behaved sockets: nothing lost, duplicated or reordered, no deletion missed, no protocol error", soak.steady().clean());
        checks.put("well-behaved sockets caught up with the last committed version at the end", soak.caughtUp());
        checks.put("no ERROR in the service's log", levels[0] == 0);
        line("%n== %s", description);
        line("live heap after a full GC, every socket closed: after the warm-up %,d B, after the soak %,d B: %+.2f %% (limit %+.0f %%)",
                before, after, growth, s.heapTolerancePercent());
        line("service RSS: after the warm-up %s, peak during the soak %s, at the end %s", mib(warmup.settled().rss()), mib(soak.peakRss()),
                mib(soak.settled().rss()));
        line("service log: %d ERROR, %d WARN lines%s", levels[0], levels[1], logSamples.isEmpty() ? "" : ", by kind:");
        logSamples.forEach(l -> line("  %s", l));
        checks.forEach((check, ok) -> line("%s %s", ok ? "ok  " : "FAIL", check));
        boolean clean = !checks.containsValue(false);
        line(clean ? "RESULT: clean" : "RESULT: NOT CLEAN");
        return new Result(description, String.join(" ", service.command), jvm, service.pid(), warmup, soak, growth, checks, levels[0],
                levels[1], logSamples, text.toString(), clean);
    }

    private static long histogramTotal(String histogram) {
        Matcher m = Pattern.compile("(?m)^\\s*Total\\s+\\d+\\s+(\\d+)\\s*$").matcher(histogram);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    private void line(String format, Object... args) {
        String l = String.format(Locale.ROOT, format, args);
        System.out.println(l);
        text.append(l).append('\n');
    }

    private static String mib(long bytes) {
        return bytes < 0 ? "n/a" : String.format(Locale.ROOT, "%,.1f MiB", bytes / 1048576.0);
    }

    private static void write(Path file, String content) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

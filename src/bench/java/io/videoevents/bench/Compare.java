package io.videoevents.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.HdrHistogram.Histogram;

/**
 * {@code compare}: video-events' packaged jar and the Node bridge, one after the other, each started
 * by the tool on a fresh database of its own, driven by the same load through the same client, then
 * one table with both and their ratio. Per service, in this order:
 *
 * <ol>
 * <li>start, wait for readiness, create the videos; resident memory before any socket;</li>
 * <li>connects: a warm-up wave, then a burst arriving at once (service CPU per connect, connects/s),
 * then the rest up to {@code --sockets}; held idle {@code --hold} s: resident memory per socket;</li>
 * <li>load: worker UPDATEs at each {@code --rates} step (after a warm-up), commit → received per
 * step, service CPU per delivery; everything checked (lost, duplicated, out of order);</li>
 * <li>reconnect storm: every socket closed, then all back at once: time until each has its snapshot;</li>
 * <li>ramp: the same number of sockets over {@code --ramp-videos} videos, rising rates until p99 passes
 * {@code --ramp-limit-ms}.</li>
 * </ol>
 *
 * The service is stopped and its database dropped afterwards, also when a phase fails.
 */
final class Compare {

    static final String VIDEO_EVENTS = "video-events";
    static final String BRIDGE = "bridge";

    private final Options options;
    private final Options.CompareOptions c;

    private final OptionalLong postmaster = ServiceProbe.listeningProcess(5432);


    private final String javaVersion;

    private Compare(Options options) {
        this.options = options;
        this.c = options.compare();
        this.javaVersion = javaVersion(c.serviceJava());
    }

    /** The first line of {@code java -version}'s output (its runtime's name and version). */
    private static String javaVersion(Path javaCommand) {
        try {
            Process process = new ProcessBuilder(javaCommand.toString(), "-version").redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            process.waitFor(30, TimeUnit.SECONDS);
            String[] lines = out.split("\n");
            return lines.length > 1 ? lines[1].trim() : out.trim();
        } catch (IOException e) {
            return "unknown java";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown java";
        }
    }

    /** Runs every client × service combination asked for and prints one table per client. */
    static Result run(Options options) {
        return new Compare(options).run();
    }

    /**
     * Everything a compare run found; written as JSON. {@code byClient} is the first round; with more than one
     * round, {@code rounds} holds every round (the first included) and {@code tables} the summary per client
     * besides each round's table.
     */
    record Result(String description, List<String> serviceJavaOptions, Map<String, Map<String, ServiceRun>> byClient,
            List<Map<String, Map<String, ServiceRun>>> rounds, Map<String, String> tables, boolean clean) {
    }

    /**
     * One connect wave: how it went, the service's CPU over it (and of that, its JIT compiler threads'), and
     * the tool's. The JIT's share is -1 for a service that is not a JVM.
     */
    record Wave(ReceiverGroup.Connected connected, double serviceCpuMicrosPerConnect, double toolCpuMicrosPerConnect,
            double serviceJitMicrosPerConnect) {
    }

    /**
     * One driven step, with the tool's own CPU and collector pauses, for video-events what its JVM
     * reports, and what else the machine did meanwhile (CPU in % of one core: the whole machine,
     * PostgreSQL, and everything that is neither the service, the tool nor PostgreSQL).
     */
    record Step(LoadTool.StepFigures figures, double toolMicrosPerDelivery, double gcPauses, double gcPauseMs, double toolGcPauses,
            double toolGcPauseMs, double machineCpuPercent, double postgresCpuPercent, double othersCpuPercent,
            List<String> serviceThreads, List<String> toolThreads, double serviceJitMicrosPerDelivery,
            double serviceGcThreadsMicrosPerDelivery, double toolAllocatedBytesPerDelivery, List<String> otherProcesses,
            double interruptsCpuPercent, double stealCpuPercent) {
    }

    /** Counters read before and after a step; a step's figures are the differences. */
    private record Reading(double serviceUser, double serviceSystem, double tool, double allocated, double gcCount, double gcSeconds,
            double toolGcCount, double toolGcMillis, double machine, double postgres, Map<String, Double> serviceThreads,
            Map<String, Double> toolThreads, long at, double toolAllocated, Map<String, Double> others, Proc.Machine parts) {
        Reading minus(Reading o) {
            return new Reading(serviceUser - o.serviceUser, serviceSystem - o.serviceSystem, tool - o.tool, allocated - o.allocated,
                    gcCount - o.gcCount, gcSeconds - o.gcSeconds, toolGcCount - o.toolGcCount, toolGcMillis - o.toolGcMillis,
                    machine - o.machine, postgres - o.postgres, serviceThreads, toolThreads, at - o.at, toolAllocated - o.toolAllocated,
                    others, new Proc.Machine(parts.interrupts() - o.parts.interrupts(), parts.steal() - o.parts.steal()));
        }
    }

    /** Correctness over a phase. */
    record Checked(long expected, long received, long lost, long duplicates, long outOfOrder, long errors, long unexpectedCloses,
            long beforeAck, List<String> samples) {
        static Checked of(ReceiveResult r) {
            return new Checked(r.expected, r.received, r.lost, r.duplicates, r.outOfOrder, r.errors, r.unexpectedCloses, r.beforeAck,
                    List.copyOf(r.samples));
        }

        boolean clean() {
            return lost == 0 && duplicates == 0 && outOfOrder == 0 && errors == 0 && unexpectedCloses == 0;
        }
    }

    /** One service under one client. Bytes, microseconds, milliseconds; -1 where unknown or not run. */
    record ServiceRun(String service, String client, String command, double readySeconds, long rssStart, long rssIdle,
            long rssPerIdleSocket, long heapStart, long heapIdle, long heapPerIdleSocket, long rssStartAfterGc, long rssIdleAfterGc,
            Wave warmup, Wave burst, Wave rest, ReceiverGroup.Connected topUp, List<String> connectProblems, List<Step> load, Checked loadChecked, Wave storm, List<Step> ramp,
            Checked rampChecked, double rampHighestUnderLimit, double rampFirstOverLimit, String failure, List<String> files,
            long rssAfterWarmup, long rssPerSocketPastWarmup) {
    }

    /**
     * Every round, each client in turn, each service in turn: in the given order in the first round and every
     * other one after it, the other way round in between, so that neither service always meets the machine
     * (and the tool's own JVM) in the same state. With one round the table is the result; with more, a summary
     * per client follows: the median of each line, its range, and in how many rounds the goal was met.
     */
    private Result run() {
        List<Map<String, Map<String, ServiceRun>>> rounds = new ArrayList<>();
        Map<String, String> tables = new LinkedHashMap<>();
        boolean clean = true;
        for (int round = 0; round < c.rounds(); round++) {
            List<String> order = order(c.services(), round);
            String suffix = c.rounds() == 1 ? "" : String.format(Locale.ROOT, ", round %d of %d (%s)", round + 1, c.rounds(),
                    String.join(" then ", order));
            Map<String, Map<String, ServiceRun>> byClient = new LinkedHashMap<>();
            for (String client : c.clients()) {
                Map<String, ServiceRun> runs = new LinkedHashMap<>();
                for (String service : order) {
                    ServiceRun run = runService(client, service, c.rounds() == 1 ? "" : "-r" + (round + 1));
                    runs.put(service, run);
                    clean &= run.failure() == null && run.loadChecked() != null && run.loadChecked().clean()
                            && (run.rampChecked() == null || run.rampChecked().clean());
                }
                byClient.put(client, runs);
                String table = table(client, runs, suffix);
                tables.put(client + suffix, table);
                System.out.println(table);
            }
            rounds.add(byClient);
        }
        if (c.rounds() > 1) {
            for (String client : c.clients()) {
                List<Map<String, ServiceRun>> perRound = rounds.stream().map(r -> r.get(client)).toList();
                String summary = summary(client, perRound);
                tables.put(client + ", " + c.rounds() + " rounds", summary);
                System.out.println(summary);
            }
        }
        return new Result(describe(), c.serviceJavaOptions(), rounds.get(0), c.rounds() == 1 ? List.of() : rounds, tables, clean);
    }

    private String describe() {
        return String.format(Locale.ROOT, "compare (service on %s, tool on Java %s): %,d one-video sockets over %,d videos; connects: %,d warm-up, %,d at once, rest; "
                + "rates %s/s × %d s (warm-up %d s), %d JDBC workers; storm: all %,d back at once; ramp: %,d sockets over %d videos at %s/s "
                + "× %d s until p99 > %d ms", javaVersion, System.getProperty("java.runtime.version"), options.sockets(), options.videos(), c.warmConnects(), c.burst(), options.rates(),
                options.durationSeconds(), options.warmupSeconds(), options.writers(), options.sockets(), options.sockets(),
                c.rampVideos(), c.rampRates(), c.rampDuration(), c.rampLimitMs());
    }

    private ServiceRun runService(String client, String service, String round) {
        String database = "bench_compare_" + service.replace('-', '_') + "_" + ProcessHandle.current().pid();
        String label = options.label() + "-" + client + "-" + service + round;
        List<String> files = new ArrayList<>();
        System.out.printf(Locale.ROOT, "%n-- %s with the %s client: fresh database %s%n", service, client, database);
        ScratchDatabases.create(database);
        Builder b = new Builder(service, client);
        try (ServiceProcess process = start(service, database, label, files)) {
            b.command = String.join(" ", process.command);
            process.awaitReady(180);
            b.readySeconds = process.readySeconds();
            log("%s ready in %.1f s (pid %d, port %d)", service, b.readySeconds, process.pid(), process.port);
            measure(b, process, database, client, service, label, files);
        } catch (RuntimeException e) {
            b.failure = e.toString();
            System.err.println(service + " with the " + client + " client failed: " + e);
            e.printStackTrace();
        } finally {
            ScratchDatabases.drop(database);
        }
        b.files = files;
        return b.build();
    }

    private void measure(Builder b, ServiceProcess process, String database, String client, String service, String label,
            List<String> files) {
        long pid = process.pid();
        boolean jvm = service.equals(VIDEO_EVENTS);
        ServiceProbe probe = new ServiceProbe(process.uri(), OptionalLong.of(pid));
        String jdbc = "jdbc:postgresql://127.0.0.1:5432/" + database + "?user=postgres&ApplicationName=" + Driver.APPLICATION_NAME;
        try (JdbcWorkers workers = new JdbcWorkers(jdbc, options.writers())) {
            String[] ids = ids(options.videos());
            CommitLog commits = workers.prepare(ids);
            LoadTool.sleepMillis(2000);
            b.rssStart = Proc.rss(pid);
            if (jvm) {
                ServiceProbe.Memory m = probe.memory(); // a full GC first
                b.heapStart = m.heap();
                b.rssStartAfterGc = m.rss();
                if (c.diagnose()) {
                    Path histogram = options.out().resolve(label + "-histogram-start.txt");
                    write(histogram, Proc.jcmd(pid, 120, "GC.class_histogram"));
                    files.add(histogram.toString());
                }
            }
            try (Fleet fleet = Fleet.create(client, process.uri(), ids, options.sockets(), options.sourceAddresses())) {
                int warm = Math.min(c.warmConnects(), options.sockets());
                int burstEnd = Math.min(options.sockets(), warm + c.burst());
                b.warmup = wave(fleet, pid, jvm, 0, warm, options.connectConcurrency());
                log("warm-up connects: %s", b.warmup);
                // what the sockets after the warm-up add: the one-off costs of the first connects (compiled code,
                // classes loaded, buffer pools and heap pages touched for the first time) are not in it
                b.rssAfterWarmup = Proc.rss(pid);
                b.burst = wave(fleet, pid, jvm, warm, burstEnd, Math.max(1, burstEnd - warm));
                log("burst: %s", b.burst);
                b.rest = wave(fleet, pid, jvm, burstEnd, options.sockets(), options.connectConcurrency());
                log("rest: %s", b.rest);
                // sockets the service refused or closed while connecting come back now, so the load meets all of them
                b.topUp = fleet.reopenNotReady(options.connectConcurrency(), 300);
                if (b.topUp.sockets() > 0) {
                    log("reconnected after failing: %s", b.topUp);
                }
                b.connectProblems = fleet.takeProblems();
                log("while connecting: %s", b.connectProblems);
                LoadTool.sleepMillis(TimeUnit.SECONDS.toMillis(options.holdSeconds()));
                b.rssIdle = Proc.rss(pid);
                int held = fleet.readyCount();
                b.rssPerIdleSocket = held == 0 ? -1 : (b.rssIdle - b.rssStart) / held;
                b.rssPerSocketPastWarmup = held <= warm || b.rssAfterWarmup < 0 ? -1 : (b.rssIdle - b.rssAfterWarmup) / (held - warm);
                if (jvm) {
                    ServiceProbe.Memory m = probe.memory();
                    b.heapIdle = m.heap();
                    b.rssIdleAfterGc = m.rss();
                    b.heapPerIdleSocket = held == 0 || b.heapStart < 0 || b.heapIdle < 0 ? -1 : (b.heapIdle - b.heapStart) / held;
                    if (c.diagnose()) {
                        Path histogram = options.out().resolve(label + "-histogram.txt");
                        write(histogram, Proc.jcmd(pid, 120, "GC.class_histogram"));
                        files.add(histogram.toString());
                        Path perSocket = options.out().resolve(label + "-histogram-per-socket.txt");
                        write(perSocket, HistogramDiff.perSocket(options.out().resolve(label + "-histogram-start.txt"), histogram, held, 40));
                        files.add(perSocket.toString());
                    }
                }
                log("idle: %,d sockets, RSS %,d → %,d B (%,d B per socket); %,d B after the warm-up (%,d B per socket past it)", held,
                        b.rssStart, b.rssIdle, b.rssPerIdleSocket, b.rssAfterWarmup, b.rssPerSocketPastWarmup);

                if (options.warmupSeconds() > 0) {
                    workers.run(options.rates().get(0), options.warmupSeconds(), -1);
                }
                List<Reading[]> cpu = new ArrayList<>();
                List<Driver.Step> steps = new ArrayList<>();
                for (int i = 0; i < options.rates().size(); i++) {
                    Process perf = i == 0 && c.diagnose() ? perf(pid, label, files) : null;
                    Reading before = read(probe, pid, jvm, true);
                    steps.add(workers.run(options.rates().get(i), options.durationSeconds(), i));
                    if (perf != null) {
                        awaitExit(perf, 30);
                    }
                    cpu.add(new Reading[] { before, read(probe, pid, jvm, false) });
                    log("step %d: %,d updates/s asked, %,.0f reached", i, options.rates().get(i), steps.get(i).rate());
                }
                ReceiveResult result = fleet.collect(commits, options.drainSeconds());
                b.load = new ArrayList<>();
                for (int i = 0; i < steps.size(); i++) {
                    b.load.add(step(steps.get(i), result, i, cpu.get(i)[0], cpu.get(i)[1]));
                }
                b.loadChecked = Checked.of(result);
                log("load: %s", b.loadChecked);

                fleet.closeAll(30);
                awaitConnectionsGone(process.port, 30);
                LoadTool.sleepMillis(1000);
                b.storm = wave(fleet, pid, jvm, 0, options.sockets(), options.sockets());
                log("reconnect storm: %s", b.storm);
            }
            awaitConnectionsGone(process.port, 30);

            if (!c.rampRates().isEmpty()) {
                ramp(b, process, client, workers, probe, jvm);
            }
            if (jvm && c.diagnose()) {
                Path jfr = options.out().resolve(label + ".jfr");
                Proc.jcmd(pid, 120, "JFR.dump", "name=bench", "filename=" + jfr.toAbsolutePath());
                files.add(jfr.toString());
            }
        }
    }

    private void ramp(Builder b, ServiceProcess process, String client, JdbcWorkers workers, ServiceProbe probe, boolean jvm) {
        long pid = process.pid();
        String[] ids = ids(Math.min(c.rampVideos(), options.videos()));
        CommitLog commits = workers.prepare(ids);
        b.ramp = new ArrayList<>();
        try (Fleet fleet = Fleet.create(client, process.uri(), ids, options.sockets(), options.sourceAddresses())) {
            ReceiverGroup.Connected connected = fleet.connect(0, options.sockets(), options.connectConcurrency(), 300);
            log("ramp: %s", connected);
            workers.run(c.rampRates().get(0), 3, -1);
            ReceiveResult result = null;
            for (int i = 0; i < c.rampRates().size(); i++) {
                Reading before = read(probe, pid, jvm, true);
                Driver.Step driven = workers.run(c.rampRates().get(i), c.rampDuration(), i);
                Reading after = read(probe, pid, jvm, false);
                result = fleet.collect(commits, options.drainSeconds());
                Step step = step(driven, result, i, before, after);
                b.ramp.add(step);
                LoadTool.StepFigures f = step.figures();
                log("ramp step %d: %,.0f deliveries/s, p99 %.1f ms", i, f.deliveriesPerSecond(), f.p99Ms());
                if (f.p99Ms() > c.rampLimitMs()) {
                    b.rampFirstOverLimit = f.deliveriesPerSecond();
                    break;
                }
                b.rampHighestUnderLimit = f.deliveriesPerSecond();
            }
            b.rampChecked = result == null ? null : Checked.of(result);
        }
        awaitConnectionsGone(process.port, 30);
    }

    /**
     * Service CPU (user, system), tool CPU (user + system), and for a JVM bytes allocated, GC pauses and
     * their seconds. Before a step the metrics are read first and after it last, so their scrape stays
     * out of the step's CPU figures.
     */
    private Reading read(ServiceProbe probe, long pid, boolean jvm, boolean before) {
        double[] metrics = before ? metrics(probe, jvm) : null;
        ServiceProbe.Cpu service = Proc.cpu(pid);
        ServiceProbe.Cpu tool = Proc.cpu(Proc.self());
        double machine = Proc.machineBusy();
        double postgres = postmaster.isPresent() ? Proc.treeCpu(postmaster.getAsLong()) : Double.NaN;
        if (!before) {
            metrics = metrics(probe, jvm);
        }
        double toolGcCount = 0;
        double toolGcMillis = 0;
        for (var gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
            toolGcCount += Math.max(0, gc.getCollectionCount());
            toolGcMillis += Math.max(0, gc.getCollectionTime());
        }
        return new Reading(service == null ? Double.NaN : service.user(), service == null ? Double.NaN : service.system(),
                tool == null ? Double.NaN : tool.total(), metrics[0], metrics[1], metrics[2], toolGcCount, toolGcMillis, machine,
                postgres, Proc.threads(pid), Proc.threads(Proc.self()), System.nanoTime(), toolAllocated(),
                Proc.processesExcept(pid, Proc.self(), postmaster.orElse(-1)), Proc.machineParts());
    }

    private static double[] metrics(ServiceProbe probe, boolean jvm) {
        return new double[] { jvm ? probe.metric("jvm_gc_memory_allocated_bytes_total", "") : Double.NaN,
                jvm ? probe.metric("jvm_gc_pause_seconds_count", "") : Double.NaN,
                jvm ? probe.metric("jvm_gc_pause_seconds_sum", "") : Double.NaN };
    }

    private static Step step(Driver.Step driven, ReceiveResult result, int i, Reading before, Reading after) {
        Reading used = after.minus(before);
        Histogram latency = i < result.latency.length ? result.latency[i] : ReceiveResult.newHistogram();
        Histogram fromSend = i < result.fromSend.length ? result.fromSend[i] : ReceiveResult.newHistogram();
        ServiceProbe.Cpu cpu = Double.isNaN(used.serviceUser()) ? null : new ServiceProbe.Cpu(used.serviceUser(), used.serviceSystem());
        LoadTool.StepFigures f = LoadTool.StepFigures.of(driven, latency, fromSend, cpu,
                Double.isNaN(used.allocated()) ? -1 : used.allocated());
        long n = latency.getTotalCount();
        double seconds = driven.seconds();
        double service = used.serviceUser() + used.serviceSystem();
        return new Step(f, n == 0 ? -1 : used.tool() * 1e6 / n, used.gcCount(), used.gcSeconds() * 1000, used.toolGcCount(),
                used.toolGcMillis(), 100 * used.machine() / seconds, 100 * used.postgres() / seconds,
                100 * (used.machine() - service - used.tool() - used.postgres()) / seconds,
                Proc.busiest(before.serviceThreads(), after.serviceThreads(), used.at() / 1e9, 4),
                Proc.busiest(before.toolThreads(), after.toolThreads(), used.at() / 1e9, 4),
                n == 0 ? -1 : threadCpu(before.serviceThreads(), after.serviceThreads(), "C1 Compiler", "C2 Compiler") * 1e6 / n,
                n == 0 ? -1 : threadCpu(before.serviceThreads(), after.serviceThreads(), "GC Thread", "VM Thread", "G1 ") * 1e6 / n,
                n == 0 ? -1 : used.toolAllocated() / n,
                Proc.busiest(before.others(), after.others(), used.at() / 1e9, 3),
                100 * used.parts().interrupts() / seconds, 100 * used.parts().steal() / seconds);
    }

    /** CPU seconds between two thread readings of the threads whose name starts with one of {@code prefixes}. */
    private static double threadCpu(Map<String, Double> before, Map<String, Double> after, String... prefixes) {
        double total = 0;
        for (Map.Entry<String, Double> e : after.entrySet()) {
            for (String prefix : prefixes) {
                if (e.getKey().startsWith(prefix)) {
                    total += e.getValue() - before.getOrDefault(e.getKey(), 0.0);
                    break;
                }
            }
        }
        return total;
    }

    /** Bytes this JVM (the tool, its WebSocket client included) has allocated so far, over all live threads. */
    private static double toolAllocated() {
        if (java.lang.management.ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean threads) {
            long total = 0;
            for (long bytes : threads.getThreadAllocatedBytes(threads.getAllThreadIds())) {
                total += Math.max(0, bytes);
            }
            return total;
        }
        return Double.NaN;
    }

    /**
     * {@code perf record} of the service (call graphs, 499 Hz) for the first load step: where its CPU
     * goes by function, kernel included. Node names its JIT code for perf (--perf-basic-prof); the
     * JVM's compiled Java frames stay unnamed here (JFR covers those).
     */
    private Process perf(long pid, String label, List<String> files) {
        Path data = options.out().resolve(label + "-perf.data").toAbsolutePath();
        files.add(data.toString());
        try {
            return new ProcessBuilder("perf", "record", "-F", "499", "-g", "-o", data.toString(), "-p", String.valueOf(pid), "--",
                    "sleep", String.valueOf(options.durationSeconds())).redirectErrorStream(true)
                    .redirectOutput(options.out().resolve(label + "-perf.log").toFile()).start();
        } catch (IOException e) {
            System.err.println("perf not started: " + e.getMessage());
            return null;
        }
    }

    private static void awaitExit(Process process, int seconds) {
        try {
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    private Wave wave(Fleet fleet, long pid, boolean jvm, int from, int to, int concurrency) {
        Map<String, Double> threads = Proc.threads(pid);
        ServiceProbe.Cpu service = Proc.cpu(pid);
        ServiceProbe.Cpu tool = Proc.cpu(Proc.self());
        ReceiverGroup.Connected connected = fleet.connect(from, to, concurrency, 300);
        ServiceProbe.Cpu serviceUsed = Proc.cpu(pid).minus(service);
        ServiceProbe.Cpu toolUsed = Proc.cpu(Proc.self()).minus(tool);
        int n = Math.max(1, connected.ready());
        double jitPerConnect = jvm ? threadCpu(threads, Proc.threads(pid), "C1 Compiler", "C2 Compiler") * 1e6 / n : -1;
        return new Wave(connected, serviceUsed.total() * 1e6 / n, toolUsed.total() * 1e6 / n, jitPerConnect);
    }

    private String[] ids(int count) {
        String[] ids = new String[count];
        for (int v = 0; v < count; v++) {
            ids[v] = options.videoId(v);
        }
        return ids;
    }

    private ServiceProcess start(String service, String database, String label, List<String> files) {
        int port = ServiceProcess.freePort();
        Path log = options.out().resolve(label + ".log");
        files.add(log.toString());
        if (service.equals(VIDEO_EVENTS)) {
            List<String> jvm = new ArrayList<>(c.serviceJavaOptions());
            jvm.addAll(c.serviceJavaOptionsExtra());
            if (c.diagnose()) {
                Path gc = options.out().resolve(label + "-gc.log");
                files.add(gc.toString());
                jvm.add("-Xlog:gc*,safepoint:file=" + gc.toAbsolutePath() + ":uptime,level,tags");
                jvm.add("-XX:StartFlightRecording=name=bench,settings=default,maxsize=200m");
            }
            return ServiceProcess.videoEvents(c.serviceJava(), c.jar(), jvm, port, database, log);
        }
        return ServiceProcess.bridge(bridgeCopy().resolve("start.sh"), port, database, log,
                c.diagnose() ? Map.of("NODE_OPTIONS", "--perf-basic-prof") : Map.of());
    }

    /**
     * The bridge runs from a copy under --out: its start script installs its npm packages next to
     * itself, and the directory it comes from is shared with others.
     */
    private Path bridgeCopy() {
        Path copy = options.out().resolve("node-bridge").toAbsolutePath();
        try {
            Files.createDirectories(copy);
            try (var files = Files.list(c.bridge())) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    Path target = copy.resolve(file.getFileName().toString());
                    if (!Files.exists(target) || Files.mismatch(file, target) != -1) {
                        Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
                        if (file.getFileName().toString().equals("package-lock.json")) {
                            deleteTree(copy.resolve("node_modules"));
                        }
                    }
                }
            }
            if (!Files.isDirectory(copy.resolve("node_modules"))) {
                Process npm = new ProcessBuilder("npm", "ci", "--silent", "--no-audit", "--no-fund").directory(copy.toFile())
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.INHERIT).start();
                if (!npm.waitFor(300, TimeUnit.SECONDS) || npm.exitValue() != 0) {
                    npm.destroyForcibly();
                    throw new IllegalStateException("npm ci failed in " + copy);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return copy;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /**
     * Waits until the sockets' TCP connections to the service's port are gone (closed on both sides);
     * a few may stay: the tool's own HTTP connections for readiness and metrics.
     */
    private static void awaitConnectionsGone(int port, int seconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        int left;
        while ((left = Proc.connectionsOn(port)) > 4 && System.nanoTime() < deadline) {
            LoadTool.sleepMillis(100);
        }
        if (left > 4) {
            log("%,d connections to port %d still open after %d s", left, port, seconds);
        }
    }




    private static void write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void log(String format, Object... args) {
        System.out.printf(Locale.ROOT, "  " + format + "%n", args);
    }

    // ---------------------------------------------------------------- the table

    /** A line of the table: its label, how to read it from a run, whether lower is better, and the goal. */
    private record Line(String label, Function<ServiceRun, Double> value, String unit, boolean lowerIsBetter, String goal,
            Goal check) {
    }

    private interface Goal {
        /** True when met, null when the line has no goal. */
        Boolean met(double videoEvents, double bridge);
    }

    /** The lines of the table, in order. */
    private List<Line> lines() {
        int r0 = options.rates().get(0);
        int r1 = options.rates().size() > 1 ? options.rates().get(1) : -1;
        List<Line> lines = new ArrayList<>();
        lines.add(new Line(String.format(Locale.ROOT, "service CPU per delivery (user + system), %,d updates/s", r0),
                r -> loadStep(r, 0, s -> us(s.figures().serviceUserMicrosPerDelivery() + s.figures().serviceSystemMicrosPerDelivery())),
                "µs", true, "≤ bridge", (v, b) -> v <= b));
        // both services pay the same kernel work per send(): the user-space part is where they can differ (BENCHMARKS.md §15)
        lines.add(new Line("  of which user", r -> loadStep(r, 0, s -> us(s.figures().serviceUserMicrosPerDelivery())), "µs", true,
                "≤ 0.75 × bridge", (v, b) -> v <= 0.75 * b));
        lines.add(new Line("  of which system (kernel)", r -> loadStep(r, 0, s -> us(s.figures().serviceSystemMicrosPerDelivery())),
                "µs", true, "", null));
        lines.add(new Line("  of which JIT compiler threads", r -> loadStep(r, 0, s -> us(s.serviceJitMicrosPerDelivery())), "µs", true, "",
                null));
        lines.add(new Line("  of which GC threads", r -> loadStep(r, 0, s -> us(s.serviceGcThreadsMicrosPerDelivery())), "µs", true, "",
                null));
        lines.add(new Line(String.format(Locale.ROOT, "p99 commit ack → received, %,d updates/s", r0),
                r -> loadStep(r, 0, s -> s.figures().p99Ms()), "ms", true, "≤ bridge", (v, b) -> v <= b));
        lines.add(new Line("  p50", r -> loadStep(r, 0, s -> s.figures().p50Ms()), "ms", true, "", null));
        lines.add(new Line("  max", r -> loadStep(r, 0, s -> s.figures().maxMs()), "ms", true, "", null));
        lines.add(new Line("  p99 UPDATE sent → received", r -> loadStep(r, 0, s -> s.figures().sentP99Ms()), "ms", true, "", null));
        if (r1 > 0) {
            lines.add(new Line(String.format(Locale.ROOT, "p99 commit ack → received, %,d updates/s", r1),
                    r -> loadStep(r, 1, s -> s.figures().p99Ms()), "ms", true, "≤ bridge", (v, b) -> v <= b));
            lines.add(new Line("  deliveries/s reached", r -> loadStep(r, 1, s -> s.figures().deliveriesPerSecond()), "/s", false, "",
                    null));
            lines.add(new Line("  service CPU (one core = 100 %)", r -> loadStep(r, 1, s -> s.figures().serviceCpuPercent()), "%", true,
                    "", null));
            lines.add(new Line("  service CPU per delivery", r -> loadStep(r, 1, s -> us(s.figures().serviceUserMicrosPerDelivery()
                    + s.figures().serviceSystemMicrosPerDelivery())), "µs", true, "", null));
        }
        for (int i = 0; i < options.rates().size(); i++) {
            int step = i;
            lines.add(new Line(String.format(Locale.ROOT, "machine in the %,d/s step: updates/s reached", options.rates().get(i)),
                    r -> loadStep(r, step, s -> s.figures().changesPerSecond()), "/s", false, "", null));
            lines.add(new Line("  CPU of PostgreSQL (one core = 100 %)", r -> loadStep(r, step, s -> s.postgresCpuPercent()),
                    "%", true, "", null));
            lines.add(new Line("  CPU of other processes (not service, tool, PostgreSQL)", r -> loadStep(r, step, s -> s.othersCpuPercent()),
                    "%", true, "", null));
            lines.add(new Line("  tool (client) GC pauses, total", r -> loadStep(r, step, s -> s.toolGcPauseMs()), "ms", true, "", null));
        }
        lines.add(new Line("burst: sockets refused or closed by the service", r -> r.burst() == null ? Double.NaN
                : (double) r.burst().connected().failed(), "", true, "= 0", (v, b) -> v == 0));
        lines.add(new Line("lost + duplicated + out of order (load steps)", r -> r.loadChecked() == null ? Double.NaN
                : (double) (r.loadChecked().lost() + r.loadChecked().duplicates() + r.loadChecked().outOfOrder()), "", true, "= 0",
                (v, b) -> v == 0));
        lines.add(new Line(String.format(Locale.ROOT, "highest deliveries/s with p99 ≤ %d ms (ramp)", c.rampLimitMs()),
                r -> r.rampHighestUnderLimit() < 0 ? Double.NaN : r.rampHighestUnderLimit(), "/s", false, "≥ bridge", (v, b) -> v >= b));
        lines.add(new Line("  first ramp step over the limit", r -> r.rampFirstOverLimit() < 0 ? Double.NaN : r.rampFirstOverLimit(),
                "/s", false, "", null));
        lines.add(new Line(String.format(Locale.ROOT, "resident memory per idle socket, %,d sockets", options.sockets()),
                r -> r.rssPerIdleSocket() < 0 ? Double.NaN : r.rssPerIdleSocket() / 1024.0, "KiB", true, "≤ 6 KiB", (v, b) -> v <= 6));
        lines.add(new Line(String.format(Locale.ROOT, "  per socket past the %,d warm-up connects (RSS growth to %,d over the sockets added)",
                c.warmConnects(), options.sockets()),
                r -> r.rssPerSocketPastWarmup() < 0 ? Double.NaN : r.rssPerSocketPastWarmup() / 1024.0, "KiB", true, "", null));
        lines.add(new Line("  live heap per idle socket (after a full GC)",
                r -> r.heapPerIdleSocket() < 0 ? Double.NaN : r.heapPerIdleSocket() / 1024.0, "KiB", true, "", null));
        lines.add(new Line(String.format(Locale.ROOT, "service CPU per connect + snapshot, %,d at once after %,d", c.burst(),
                c.warmConnects()), r -> r.burst() == null ? Double.NaN : r.burst().serviceCpuMicrosPerConnect(), "µs", true, "≤ bridge",
                (v, b) -> v <= b));
        lines.add(new Line("  of which JIT compiler threads", r -> r.burst() == null ? Double.NaN : us(r.burst().serviceJitMicrosPerConnect()),
                "µs", true, "", null));
        lines.add(new Line("connects with snapshot per second, same", r -> r.burst() == null ? Double.NaN
                : r.burst().connected().perSecond(), "/s", false, "≥ 5,000", (v, b) -> v >= 5000));
        lines.add(new Line("  tool (client) CPU per connect", r -> r.burst() == null ? Double.NaN : r.burst().toolCpuMicrosPerConnect(),
                "µs", true, "", null));
        lines.add(new Line(String.format(Locale.ROOT, "reconnect storm: %,d sockets back, until the last snapshot", options.sockets()),
                r -> r.storm() == null ? Double.NaN : r.storm().connected().seconds(), "s", true, "≤ 2 s", (v, b) -> v <= 2));
        lines.add(new Line("  service CPU per connect", r -> r.storm() == null ? Double.NaN : r.storm().serviceCpuMicrosPerConnect(),
                "µs", true, "", null));
        lines.add(new Line("    of which JIT compiler threads", r -> r.storm() == null ? Double.NaN : us(r.storm().serviceJitMicrosPerConnect()),
                "µs", true, "", null));
        lines.add(new Line("  failed", r -> r.storm() == null ? Double.NaN : (double) r.storm().connected().failed(), "", true, "",
                null));
        lines.add(new Line(String.format(Locale.ROOT, "tool (client) CPU per delivery, %,d updates/s", r0),
                r -> loadStep(r, 0, Step::toolMicrosPerDelivery), "µs", true, "", null));
        lines.add(new Line("  tool (client) allocated per delivery", r -> loadStep(r, 0, s -> us(s.toolAllocatedBytesPerDelivery())), "B",
                true, "", null));
        lines.add(new Line("service JVM: allocated per delivery", r -> loadStep(r, 0, s -> s.figures().serviceAllocatedBytesPerDelivery() < 0
                ? Double.NaN : s.figures().serviceAllocatedBytesPerDelivery()), "B", true, "", null));
        lines.add(new Line(String.format(Locale.ROOT, "service JVM: GC pauses / their total in the %,d/s step", r0),
                r -> loadStep(r, 0, s -> Double.isNaN(s.gcPauses()) ? Double.NaN : s.gcPauses()), "", true, "", null));
        lines.add(new Line("  total pause time", r -> loadStep(r, 0, s -> Double.isNaN(s.gcPauseMs()) ? Double.NaN : s.gcPauseMs()), "ms",
                true, "", null));
        lines.add(new Line("start until ready", r -> r.readySeconds() < 0 ? Double.NaN : r.readySeconds(), "s", true, "", null));
        return lines;
    }

    /** The heading of a client's table: the client, the run's shape and the service's JVM options. */
    private String heading(String client, String suffix) {
        return String.format(Locale.ROOT, "%n== compare, %s client (%s)%s%n%s%n", client, switch (client) {
                    case "jdk" -> "java.net.http, one HttpClient on a 2-thread executor";
                    case "raw" -> "upgrade and frames written out over Vert.x TCP sockets, 2 event loops";
                    default -> "Vert.x WebSocketClient, 2 event loops";
                }, suffix, describe())
                + "video-events JVM options: " + String.join(" ", c.serviceJavaOptions())
                + (c.serviceJavaOptionsExtra().isEmpty() ? "" : " + " + String.join(" ", c.serviceJavaOptionsExtra())) + "\n";
    }

    /** Whether a line's goal was met, or null when it has none or a figure is missing. */
    private static Boolean met(Line line, double v, double b) {
        return line.check() == null || Double.isNaN(v) || (Double.isNaN(b) && line.goal().contains("bridge")) ? null
                : line.check().met(v, b);
    }

    private String table(String client, Map<String, ServiceRun> runs, String suffix) {
        ServiceRun ve = runs.get(VIDEO_EVENTS);
        ServiceRun br = runs.get(BRIDGE);
        StringBuilder out = new StringBuilder(heading(client, suffix));
        out.append("| measure | video-events | bridge | ratio ve / bridge | goal | met |\n|---|---:|---:|---:|---|---|\n");
        for (Line line : lines()) {
            double v = ve == null ? Double.NaN : line.value().apply(ve);
            double b = br == null ? Double.NaN : line.value().apply(br);
            String ratio = Double.isNaN(v) || Double.isNaN(b) || b == 0 ? "" : String.format(Locale.ROOT, "%.2f", v / b);
            Boolean met = met(line, v, b);
            out.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s |%n", line.label(), format(v, line.unit()),
                    format(b, line.unit()), ratio, line.goal(), met == null ? "" : met ? "yes" : "**no**"));
        }
        for (ServiceRun run : runs.values()) {
            if (run.failure() != null) {
                out.append("FAILED: ").append(run.service()).append(": ").append(run.failure()).append('\n');
            }
            for (Checked checked : new Checked[] { run.loadChecked(), run.rampChecked() }) {
                if (checked != null && !checked.clean()) {
                    out.append(run.service()).append(": NOT CLEAN ").append(checked).append('\n');
                }
            }
        }
        out.append("busiest threads (% of one core) in each load step:\n");
        for (ServiceRun run : runs.values()) {
            if (run.load() != null) {
                for (Step s : run.load()) {
                    out.append(String.format(Locale.ROOT, "  %s, %,d/s: service %s; tool %s%n", run.service(),
                            s.figures().targetChangesPerSecond(), s.serviceThreads(), s.toolThreads()));
                    if (s.otherProcesses() != null) {
                        out.append(String.format(Locale.ROOT, "    others %s; interrupts and softirqs %.1f %%, stolen %.1f %%%n",
                                s.otherProcesses(), s.interruptsCpuPercent(), s.stealCpuPercent()));
                    }
                }
            }
        }
        out.append("ramp steps (deliveries/s: p99 ms):\n");
        for (ServiceRun run : runs.values()) {
            out.append("  ").append(run.service()).append(':');
            if (run.ramp() != null) {
                for (Step s : run.ramp()) {
                    out.append(String.format(Locale.ROOT, "  %,.0f: %.1f", s.figures().deliveriesPerSecond(), s.figures().p99Ms()));
                }
            }
            out.append('\n');
        }
        return out.toString();
    }

    /**
     * The rounds of one client in one table: per line the median of each service over the rounds with its
     * range, the median of the rounds' ratios (each round's two services ran minutes apart, so a ratio is
     * taken within a round, never across), and in how many rounds the goal was met.
     */
    private String summary(String client, List<Map<String, ServiceRun>> rounds) {
        StringBuilder out = new StringBuilder(heading(client, String.format(Locale.ROOT, ", %d rounds: median (lowest–highest)",
                rounds.size())));
        out.append("| measure | video-events | bridge | ratio ve / bridge, median | goal | met in rounds |\n"
                + "|---|---:|---:|---:|---|---|\n");
        for (Line line : lines()) {
            List<Double> ves = new ArrayList<>();
            List<Double> brs = new ArrayList<>();
            List<Double> ratios = new ArrayList<>();
            int met = 0;
            int judged = 0;
            for (Map<String, ServiceRun> runs : rounds) {
                double v = runs.get(VIDEO_EVENTS) == null ? Double.NaN : line.value().apply(runs.get(VIDEO_EVENTS));
                double b = runs.get(BRIDGE) == null ? Double.NaN : line.value().apply(runs.get(BRIDGE));
                if (!Double.isNaN(v)) {
                    ves.add(v);
                }
                if (!Double.isNaN(b)) {
                    brs.add(b);
                }
                if (!Double.isNaN(v) && !Double.isNaN(b) && b != 0) {
                    ratios.add(v / b);
                }
                Boolean m = met(line, v, b);
                if (m != null) {
                    judged++;
                    met += m ? 1 : 0;
                }
            }
            out.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s |%n", line.label(), spread(ves, line.unit()),
                    spread(brs, line.unit()), ratios.isEmpty() ? "" : String.format(Locale.ROOT, "%.2f", median(ratios)), line.goal(),
                    judged == 0 ? "" : met + " of " + judged));
        }
        return out.toString();
    }

    /** The services in the order given in the first round and every other one after it, the other way round in between. */
    static List<String> order(List<String> services, int round) {
        List<String> order = new ArrayList<>(services);
        if (round % 2 == 1) {
            java.util.Collections.reverse(order);
        }
        return order;
    }

    /** {@code median (lowest–highest)} of some figures, or n/a when there are none. */
    static String spread(List<Double> values, String unit) {
        if (values.isEmpty()) {
            return "n/a";
        }
        if (values.size() == 1) {
            return format(values.get(0), unit);
        }
        double low = values.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        double high = values.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        return format(median(values), unit) + " (" + format(low, "") + "–" + format(high, "") + ")";
    }

    static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static double us(double value) {
        return value < 0 ? Double.NaN : value;
    }

    private static double loadStep(ServiceRun run, int i, Function<Step, Double> value) {
        return run.load() == null || run.load().size() <= i ? Double.NaN : value.apply(run.load().get(i));
    }

    private static String format(double value, String unit) {
        if (Double.isNaN(value)) {
            return "n/a";
        }
        String number = Math.abs(value) >= 100 || value == Math.rint(value) ? String.format(Locale.ROOT, "%,.0f", value)
                : Math.abs(value) >= 10 ? String.format(Locale.ROOT, "%.1f", value) : String.format(Locale.ROOT, "%.2f", value);
        return unit.isEmpty() ? number : number + " " + unit;
    }

    /** Collects a {@link ServiceRun} as the phases go, so a failure still reports what was measured. */
    private static final class Builder {
        final String service;
        final String client;
        String command = "";
        double readySeconds = -1;
        long rssStart = -1;
        long rssIdle = -1;
        long rssPerIdleSocket = -1;
        long heapStart = -1;
        long heapIdle = -1;
        long heapPerIdleSocket = -1;
        long rssStartAfterGc = -1;
        long rssIdleAfterGc = -1;
        long rssAfterWarmup = -1;
        long rssPerSocketPastWarmup = -1;
        Wave warmup;
        Wave burst;
        Wave rest;
        ReceiverGroup.Connected topUp;
        List<String> connectProblems;
        List<Step> load;
        Checked loadChecked;
        Wave storm;
        List<Step> ramp;
        Checked rampChecked;
        double rampHighestUnderLimit = -1;
        double rampFirstOverLimit = -1;
        String failure;
        List<String> files = List.of();

        Builder(String service, String client) {
            this.service = service;
            this.client = client;
        }

        ServiceRun build() {
            return new ServiceRun(service, client, command, readySeconds, rssStart, rssIdle, rssPerIdleSocket, heapStart, heapIdle,
                    heapPerIdleSocket, rssStartAfterGc, rssIdleAfterGc, warmup, burst, rest, topUp, connectProblems, load, loadChecked, storm, ramp, rampChecked,
                    rampHighestUnderLimit, rampFirstOverLimit, failure, files, rssAfterWarmup, rssPerSocketPastWarmup);
        }
    }
}

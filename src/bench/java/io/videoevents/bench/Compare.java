package io.videoevents.bench;

import java.io.*;
import java.nio.file.*;
import java.util.*;
import java.util.concurrent.TimeUnit;
import java.util.function.*;
import org.HdrHistogram.Histogram;

/**
 * {@code compare}: video-events' packaged jar (and/or its native executable) and the Node bridge in turn, each on a fresh database, under the same load
 * and client: connects (warm-up, burst, rest), idle memory, load steps, reconnect storm, ramp; then one table.
 */
final class Compare {
    static final String VIDEO_EVENTS = "video-events";
    static final String BRIDGE = "bridge";
    /** video-events' native executable ({@code --native}), measured like the jar and set beside the bridge too. */
    static final String NATIVE = "native";
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

    static Result run(Options options) {
        return new Compare(options).run();
    }

    /** Everything a run found, written as JSON; {@code rounds} holds every round when there is more than one. */
    record Result(String description, List<String> serviceJavaOptions, Map<String, ServiceRun> firstRound,
            List<Map<String, ServiceRun>> rounds, List<String> tables, boolean clean) {
    }

    /** One connect wave, with the service's and the tool's CPU per socket connected. */
    record Wave(Fleet.Connected connected, double serviceCpuMicrosPerConnect, double toolCpuMicrosPerConnect) {
    }

    /** One driven step, and PostgreSQL's CPU over it (% of one core). */
    record Step(LoadTool.StepFigures figures, double postgresCpuPercent) {
    }

    /** Counters read before and after a step. */
    private record Reading(double serviceUser, double serviceSystem, double allocated, double postgres) {
        Reading minus(Reading o) {
            return new Reading(serviceUser - o.serviceUser, serviceSystem - o.serviceSystem, allocated - o.allocated,
                    postgres - o.postgres);
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

    /** Every round, the services in the given order in odd rounds, the other way round in even ones; then the summary. */
    private Result run() {
        List<Map<String, ServiceRun>> rounds = new ArrayList<>();
        List<String> tables = new ArrayList<>();
        boolean clean = true;
        for (int round = 0; round < c.rounds(); round++) {
            List<String> order = order(c.services(), round);
            Map<String, ServiceRun> runs = new LinkedHashMap<>();
            for (String service : order) {
                ServiceRun run = runService(service, c.rounds() == 1 ? "" : "-r" + (round + 1));
                runs.put(service, run);
                clean &= run.failure == null && run.loadChecked != null && run.loadChecked.clean()
                        && (run.rampChecked == null || run.rampChecked.clean());
            }
            rounds.add(runs);
            tables.add(table(runs, c.rounds() == 1 ? "" : String.format(Locale.ROOT, ", round %d of %d (%s)", round + 1, c.rounds(),
                    String.join(" then ", order))));
            System.out.println(tables.get(tables.size() - 1));
        }
        if (c.rounds() > 1) {
            tables.add(summary(rounds));
            System.out.println(tables.get(tables.size() - 1));
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

    private ServiceRun runService(String service, String round) {
        String database = "bench_compare_" + service.replace('-', '_') + "_" + ProcessHandle.current().pid();
        String label = options.label() + "-" + service + round;
        System.out.printf(Locale.ROOT, "%n-- %s: fresh database %s%n", service, database);
        ScratchDatabases.create(database);
        ServiceRun b = new ServiceRun(service);
        try (ServiceProcess process = start(service, database, label)) {
            b.command = String.join(" ", process.command);
            process.awaitReady(180);
            b.readySeconds = process.readySeconds();
            log("%s ready in %.1f s (pid %d, port %d)", service, b.readySeconds, process.pid(), process.port);
            measure(b, process, database, service);
        } catch (RuntimeException e) {
            b.failure = e.toString();
            System.err.println(service + " failed: " + e);
            e.printStackTrace();
        } finally {
            ScratchDatabases.drop(database);
        }
        return b;
    }

    private void measure(ServiceRun b, ServiceProcess process, String database, String service) {
        long pid = process.pid();
        boolean jvm = service.equals(VIDEO_EVENTS);
        ServiceProbe probe = new ServiceProbe(process.uri(), OptionalLong.of(pid));
        String jdbc = "jdbc:postgresql://127.0.0.1:5432/" + database + "?user=postgres&ApplicationName=" + JdbcWorkers.APPLICATION_NAME;
        try (JdbcWorkers workers = new JdbcWorkers(jdbc, options.writers())) {
            String[] ids = Fleet.ids(options, options.videos());
            CommitLog commits = workers.prepare(ids);
            LoadTool.sleepMillis(2000);
            b.rssStart = Proc.rss(pid);
            if (jvm) {
                b.heapStart = probe.memory().heap(); // after a full GC
            }
            try (Fleet fleet = fleet(process, ids)) {
                int warm = Math.min(c.warmConnects(), options.sockets());
                int burstEnd = Math.min(options.sockets(), warm + c.burst());
                b.warmup = wave(fleet, pid, 0, warm, options.connectConcurrency());
                log("warm-up connects: %s", b.warmup);
                b.burst = wave(fleet, pid, warm, burstEnd, Math.max(1, burstEnd - warm));
                log("burst: %s", b.burst);
                b.rest = wave(fleet, pid, burstEnd, options.sockets(), options.connectConcurrency());
                log("rest: %s", b.rest);
                // sockets refused or closed while connecting come back now, so the load meets all of them
                b.topUp = fleet.reopenNotReady(options.connectConcurrency(), 300);
                b.connectProblems = fleet.takeProblems();
                log("while connecting: %s; reconnected after failing: %s", b.connectProblems, b.topUp);
                LoadTool.sleepMillis(TimeUnit.SECONDS.toMillis(options.holdSeconds()));
                b.rssIdle = Proc.rss(pid);
                int held = fleet.readyCount();
                b.rssPerIdleSocket = held == 0 ? -1 : (b.rssIdle - b.rssStart) / held;
                if (jvm) {
                    b.heapIdle = probe.memory().heap();
                    b.heapPerIdleSocket = held == 0 || b.heapStart < 0 || b.heapIdle < 0 ? -1 : (b.heapIdle - b.heapStart) / held;
                }
                log("idle: %,d sockets, RSS %,d → %,d B (%,d B per socket)", held, b.rssStart, b.rssIdle, b.rssPerIdleSocket);
                if (options.warmupSeconds() > 0) {
                    workers.run(options.rates().get(0), options.warmupSeconds(), -1);
                }
                List<Reading[]> cpu = new ArrayList<>();
                List<JdbcWorkers.Step> steps = new ArrayList<>();
                for (int i = 0; i < options.rates().size(); i++) {
                    Reading before = read(probe, pid, jvm, true);
                    steps.add(workers.run(options.rates().get(i), options.durationSeconds(), i));
                    cpu.add(new Reading[] { before, read(probe, pid, jvm, false) });
                    log("step %d: %,d updates/s asked, %,.0f reached", i, options.rates().get(i), steps.get(i).rate());
                }
                ReceiveResult result = fleet.collect(commits, options.drainSeconds(), options.rates().size());
                b.load = new ArrayList<>();
                for (int i = 0; i < steps.size(); i++) {
                    b.load.add(step(steps.get(i), result, i, cpu.get(i)[0], cpu.get(i)[1]));
                }
                b.loadChecked = Checked.of(result);
                log("load: %s", b.loadChecked);
                fleet.closeAll(30);
                awaitConnectionsGone(process.port, 30);
                LoadTool.sleepMillis(1000);
                b.storm = wave(fleet, pid, 0, options.sockets(), options.sockets());
                log("reconnect storm: %s", b.storm);
            }
            awaitConnectionsGone(process.port, 30);
            if (!c.rampRates().isEmpty()) {
                ramp(b, process, workers, probe, jvm);
            }
        }
    }

    private Fleet fleet(ServiceProcess process, String[] ids) {
        return new Fleet(process.uri(), ids, options.sockets(), options.sourceAddresses(), options.connectConcurrency());
    }

    private void ramp(ServiceRun b, ServiceProcess process, JdbcWorkers workers, ServiceProbe probe, boolean jvm) {
        String[] ids = Fleet.ids(options, Math.min(c.rampVideos(), options.videos()));
        CommitLog commits = workers.prepare(ids);
        b.ramp = new ArrayList<>();
        try (Fleet fleet = fleet(process, ids)) {
            log("ramp: %s", fleet.connect(0, options.sockets(), options.connectConcurrency(), 300));
            workers.run(c.rampRates().get(0), 3, -1);
            ReceiveResult result = null;
            for (int i = 0; i < c.rampRates().size(); i++) {
                Reading before = read(probe, process.pid(), jvm, true);
                JdbcWorkers.Step driven = workers.run(c.rampRates().get(i), c.rampDuration(), i);
                Reading after = read(probe, process.pid(), jvm, false);
                result = fleet.collect(commits, options.drainSeconds(), i + 1);
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

    /** Service CPU, PostgreSQL's, and a JVM's bytes allocated: the metrics read first before a step, last after it. */
    private Reading read(ServiceProbe probe, long pid, boolean jvm, boolean before) {
        double allocated = before && jvm ? probe.metric("jvm_gc_memory_allocated_bytes_total", "") : Double.NaN;
        ServiceProbe.Cpu service = Proc.cpu(pid);
        double postgres = postmaster.isPresent() ? Proc.treeCpu(postmaster.getAsLong()) : Double.NaN;
        if (!before && jvm) {
            allocated = probe.metric("jvm_gc_memory_allocated_bytes_total", "");
        }
        return new Reading(service == null ? Double.NaN : service.user(), service == null ? Double.NaN : service.system(), allocated,
                postgres);
    }

    private static Step step(JdbcWorkers.Step driven, ReceiveResult result, int i, Reading before, Reading after) {
        Reading used = after.minus(before);
        Histogram latency = i < result.latency.length ? result.latency[i] : ReceiveResult.newHistogram();
        Histogram fromSend = i < result.fromSend.length ? result.fromSend[i] : ReceiveResult.newHistogram();
        ServiceProbe.Cpu cpu = Double.isNaN(used.serviceUser()) ? null : new ServiceProbe.Cpu(used.serviceUser(), used.serviceSystem());
        return new Step(LoadTool.StepFigures.of(driven, latency, fromSend, cpu, Double.isNaN(used.allocated()) ? -1 : used.allocated()),
                100 * used.postgres() / driven.seconds());
    }

    private Wave wave(Fleet fleet, long pid, int from, int to, int concurrency) {
        ServiceProbe.Cpu service = Proc.cpu(pid);
        ServiceProbe.Cpu tool = Proc.cpu(Proc.self());
        Fleet.Connected connected = fleet.connect(from, to, concurrency, 300);
        int n = Math.max(1, connected.ready());
        return new Wave(connected, Proc.cpu(pid).minus(service).total() * 1e6 / n, Proc.cpu(Proc.self()).minus(tool).total() * 1e6 / n);
    }

    private ServiceProcess start(String service, String database, String label) {
        int port = ServiceProcess.freePort();
        Path log = options.out().resolve(label + ".log");
        if (service.equals(VIDEO_EVENTS)) {
            List<String> jvm = new ArrayList<>(c.serviceJavaOptions());
            jvm.addAll(c.serviceJavaOptionsExtra());
            return ServiceProcess.videoEvents(c.serviceJava(), c.jar(), jvm, port, database, log);
        }
        if (service.equals(NATIVE)) {
            return ServiceProcess.nativeExecutable(c.nativeExecutable(), port, database, log);
        }
        return ServiceProcess.bridge(bridgeCopy().resolve("start.sh"), port, database, log, Map.of());
    }

    /** The bridge runs from a copy under --out. */
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

    /** Waits until the sockets' TCP connections to the service's port are gone (closed on both sides). */
    private static void awaitConnectionsGone(int port, int seconds) {
        if (!LoadTool.await(() -> Proc.connectionsOn(port) <= 4, seconds)) {
            log("%,d connections to port %d still open after %d s", Proc.connectionsOn(port), port, seconds);
        }
    }

    private static void log(String format, Object... args) {
        System.out.printf(Locale.ROOT, "  " + format + "%n", args);
    }

    // ---------------------------------------------------------------- the table

    /** A line of the table: its label, how to read it from a run, its unit, and its goal (null: none). */
    private record Line(String label, Function<ServiceRun, Double> value, String unit, String goal, BiPredicate<Double, Double> check) {
        Line(String label, Function<ServiceRun, Double> value, String unit) {
            this(label, value, unit, "", null);
        }
    }

    private List<Line> lines() {
        int r0 = options.rates().get(0);
        List<Line> lines = new ArrayList<>();
        lines.add(new Line(String.format(Locale.ROOT, "service CPU per delivery (user + system), %,d updates/s", r0),
                r -> loadStep(r, 0, s -> us(s.figures().serviceUserMicrosPerDelivery() + s.figures().serviceSystemMicrosPerDelivery())),
                "µs", "≤ bridge", (v, b) -> v <= b));
        // both services pay the same kernel work per send(): the user-space part is where they can differ
        lines.add(new Line("  of which user", r -> loadStep(r, 0, s -> us(s.figures().serviceUserMicrosPerDelivery())), "µs",
                "≤ 0.75 × bridge", (v, b) -> v <= 0.75 * b));
        lines.add(new Line("  of which system (kernel)", r -> loadStep(r, 0, s -> us(s.figures().serviceSystemMicrosPerDelivery())), "µs"));
        for (int i = 0; i < options.rates().size(); i++) {
            int step = i;
            lines.add(new Line(String.format(Locale.ROOT, "p99 commit ack → received, %,d updates/s", options.rates().get(i)),
                    r -> loadStep(r, step, s -> s.figures().p99Ms()), "ms", "≤ bridge", (v, b) -> v <= b));
            lines.add(new Line("  p50", r -> loadStep(r, step, s -> s.figures().p50Ms()), "ms"));
            lines.add(new Line("  max", r -> loadStep(r, step, s -> s.figures().maxMs()), "ms"));
            lines.add(new Line("  p99 UPDATE sent → received", r -> loadStep(r, step, s -> s.figures().sentP99Ms()), "ms"));
            lines.add(new Line("  service CPU per delivery", r -> loadStep(r, step, s -> us(s.figures().serviceUserMicrosPerDelivery()
                    + s.figures().serviceSystemMicrosPerDelivery())), "µs"));
            lines.add(new Line("  service CPU (one core = 100 %)", r -> loadStep(r, step, s -> s.figures().serviceCpuPercent()), "%"));
            lines.add(new Line("  updates/s reached", r -> loadStep(r, step, s -> s.figures().changesPerSecond()), "/s"));
            lines.add(new Line("  deliveries/s", r -> loadStep(r, step, s -> s.figures().deliveriesPerSecond()), "/s"));
            lines.add(new Line("  CPU of PostgreSQL (one core = 100 %)", r -> loadStep(r, step, Step::postgresCpuPercent), "%"));
        }
        lines.add(new Line("burst: sockets refused or closed by the service", r -> r.burst == null ? Double.NaN
                : (double) r.burst.connected().failed(), "", "= 0", (v, b) -> v == 0));
        lines.add(new Line("lost + duplicated + out of order (load steps)", r -> r.loadChecked == null ? Double.NaN
                : (double) (r.loadChecked.lost() + r.loadChecked.duplicates() + r.loadChecked.outOfOrder()), "", "= 0",
                (v, b) -> v == 0));
        lines.add(new Line(String.format(Locale.ROOT, "highest deliveries/s with p99 ≤ %d ms (ramp)", c.rampLimitMs()),
                r -> r.rampHighestUnderLimit < 0 ? Double.NaN : r.rampHighestUnderLimit, "/s", "≥ bridge", (v, b) -> v >= b));
        lines.add(new Line("  first ramp step over the limit", r -> r.rampFirstOverLimit < 0 ? Double.NaN : r.rampFirstOverLimit, "/s"));
        lines.add(new Line(String.format(Locale.ROOT, "resident memory per idle socket, %,d sockets", options.sockets()),
                r -> r.rssPerIdleSocket < 0 ? Double.NaN : r.rssPerIdleSocket / 1024.0, "KiB", "≤ 6 KiB", (v, b) -> v <= 6));
        lines.add(new Line("  live heap per idle socket (after a full GC)",
                r -> r.heapPerIdleSocket < 0 ? Double.NaN : r.heapPerIdleSocket / 1024.0, "KiB"));
        lines.add(new Line(String.format(Locale.ROOT, "service CPU per connect + snapshot, %,d at once after %,d", c.burst(),
                c.warmConnects()), r -> r.burst == null ? Double.NaN : r.burst.serviceCpuMicrosPerConnect(), "µs", "≤ bridge",
                (v, b) -> v <= b));
        lines.add(new Line("connects with snapshot per second, same", r -> r.burst == null ? Double.NaN
                : r.burst.connected().perSecond(), "/s", "≥ 5,000", (v, b) -> v >= 5000));
        lines.add(new Line("  tool (client) CPU per connect", r -> r.burst == null ? Double.NaN : r.burst.toolCpuMicrosPerConnect(),
                "µs"));
        lines.add(new Line(String.format(Locale.ROOT, "reconnect storm: %,d sockets back, until the last snapshot", options.sockets()),
                r -> r.storm == null ? Double.NaN : r.storm.connected().seconds(), "s", "≤ 2 s", (v, b) -> v <= 2));
        lines.add(new Line("  service CPU per connect", r -> r.storm == null ? Double.NaN : r.storm.serviceCpuMicrosPerConnect(), "µs"));
        lines.add(new Line("  failed", r -> r.storm == null ? Double.NaN : (double) r.storm.connected().failed(), ""));
        lines.add(new Line("service JVM: allocated per delivery", r -> loadStep(r, 0, s -> s.figures().serviceAllocatedBytesPerDelivery() < 0
                ? Double.NaN : s.figures().serviceAllocatedBytesPerDelivery()), "B"));
        lines.add(new Line("start until ready", r -> r.readySeconds < 0 ? Double.NaN : r.readySeconds, "s"));
        return lines;
    }

    private String heading(String suffix) {
        return String.format(Locale.ROOT, "%n== compare, vertx client (Vert.x WebSocketClient, 2 event loops)%s%n%s%n", suffix, describe())
                + "video-events JVM options: " + String.join(" ", c.serviceJavaOptions())
                + (c.serviceJavaOptionsExtra().isEmpty() ? "" : " + " + String.join(" ", c.serviceJavaOptionsExtra())) + "\n"
                + (c.services().contains(NATIVE) ? "native executable: " + c.nativeExecutable() + " (its built-in heap)\n" : "");
    }

    /** Whether a line's goal was met, or null when it has none or a figure is missing. */
    private static Boolean met(Line line, double v, double b) {
        return line.check() == null || Double.isNaN(v) || (Double.isNaN(b) && line.goal().contains("bridge")) ? null
                : line.check().test(v, b);
    }

    private static double value(Line line, ServiceRun run) {
        return run == null ? Double.NaN : line.value().apply(run);
    }

    /** Our services (the jar, the native executable) in the order given, each to be set beside the bridge. */
    private List<String> ours() {
        List<String> ours = c.services().stream().filter(s -> !s.equals(BRIDGE)).toList();
        return ours.isEmpty() ? List.of(VIDEO_EVENTS) : ours;
    }

    private String table(Map<String, ServiceRun> runs, String suffix) {
        StringBuilder out = new StringBuilder(heading(suffix));
        for (String ours : ours()) {
            out.append(tableOf(ours, runs));
        }
        return out.toString();
    }

    private String tableOf(String ours, Map<String, ServiceRun> runs) {
        StringBuilder out = new StringBuilder();
        out.append("| measure | ").append(ours).append(" | bridge | ratio / bridge | goal | met |\n|---|---:|---:|---:|---|---|\n");
        for (Line line : lines()) {
            double v = value(line, runs.get(ours));
            double b = value(line, runs.get(BRIDGE));
            Boolean met = met(line, v, b);
            out.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s |%n", line.label(), format(v, line.unit()),
                    format(b, line.unit()), Double.isNaN(v) || Double.isNaN(b) || b == 0 ? "" : String.format(Locale.ROOT, "%.2f", v / b),
                    line.goal(), met == null ? "" : met ? "yes" : "**no**"));
        }
        if (!ours.equals(ours().get(ours().size() - 1))) {
            return out.append('\n').toString();
        }
        for (ServiceRun run : runs.values()) {
            if (run.failure != null) {
                out.append("FAILED: ").append(run.service).append(": ").append(run.failure).append('\n');
            }
            for (Checked checked : new Checked[] { run.loadChecked, run.rampChecked }) {
                if (checked != null && !checked.clean()) {
                    out.append(run.service).append(": NOT CLEAN ").append(checked).append('\n');
                }
            }
        }
        out.append("ramp steps (deliveries/s: p99 ms):\n");
        for (ServiceRun run : runs.values()) {
            out.append("  ").append(run.service).append(':');
            for (Step s : run.ramp == null ? List.<Step>of() : run.ramp) {
                out.append(String.format(Locale.ROOT, "  %,.0f: %.1f", s.figures().deliveriesPerSecond(), s.figures().p99Ms()));
            }
            out.append('\n');
        }
        return out.toString();
    }

    /** Per line the median of each service over the rounds with its range, the median of the rounds' ratios, the goal met. */
    private String summary(List<Map<String, ServiceRun>> rounds) {
        StringBuilder out = new StringBuilder(heading(String.format(Locale.ROOT, ", %d rounds: median (lowest–highest)", rounds.size())));
        for (String ours : ours()) {
            out.append(summaryOf(ours, rounds)).append('\n');
        }
        return out.toString();
    }

    private String summaryOf(String ours, List<Map<String, ServiceRun>> rounds) {
        StringBuilder out = new StringBuilder();
        out.append("| measure | ").append(ours).append(" | bridge | ratio / bridge, median | goal | met in rounds |\n|---|---:|---:|---:|---|---|\n");
        for (Line line : lines()) {
            List<Double> ves = new ArrayList<>();
            List<Double> brs = new ArrayList<>();
            List<Double> ratios = new ArrayList<>();
            int met = 0;
            int judged = 0;
            for (Map<String, ServiceRun> runs : rounds) {
                double v = value(line, runs.get(ours));
                double b = value(line, runs.get(BRIDGE));
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
                judged += m == null ? 0 : 1;
                met += m != null && m ? 1 : 0;
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
            Collections.reverse(order);
        }
        return order;
    }

    /** {@code median (lowest–highest)} of some figures, or n/a when there are none. */
    static String spread(List<Double> values, String unit) {
        if (values.size() < 2) {
            return values.isEmpty() ? "n/a" : format(values.get(0), unit);
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
        return run.load == null || run.load.size() <= i ? Double.NaN : value.apply(run.load.get(i));
    }

    private static String format(double value, String unit) {
        if (Double.isNaN(value)) {
            return "n/a";
        }
        String number = Math.abs(value) >= 100 || value == Math.rint(value) ? String.format(Locale.ROOT, "%,.0f", value)
                : Math.abs(value) >= 10 ? String.format(Locale.ROOT, "%.1f", value) : String.format(Locale.ROOT, "%.2f", value);
        return unit.isEmpty() ? number : number + " " + unit;
    }

    /** One service's run in bytes, µs, ms (-1: unknown), filled in as it goes: a failure still reports what was measured. */
    static final class ServiceRun {
        public final String service;
        public String command = "";
        public double readySeconds = -1;
        public long rssStart = -1;
        public long rssIdle = -1;
        public long rssPerIdleSocket = -1;
        public long heapStart = -1;
        public long heapIdle = -1;
        public long heapPerIdleSocket = -1;
        public Wave warmup;
        public Wave burst;
        public Wave rest;
        public Fleet.Connected topUp;
        public List<String> connectProblems;
        public List<Step> load;
        public Checked loadChecked;
        public Wave storm;
        public List<Step> ramp;
        public Checked rampChecked;
        public double rampHighestUnderLimit = -1;
        public double rampFirstOverLimit = -1;
        public String failure;

        ServiceRun(String service) {
            this.service = service;
        }
    }
}

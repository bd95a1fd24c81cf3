package io.videoevents.bench;

import java.net.URI;
import java.nio.file.Path;
import java.util.*;

/** Everything a run is told on the command line ({@code --name value}). */
record Options(String scenario, URI service, String database, int sockets, int videos, double multiplexedShare,
        int videosPerSocket, List<Integer> rates, int durationSeconds, int warmupSeconds, int writers, int sourceAddresses,
        int connectConcurrency, int eventLoops, int drainSeconds, int holdSeconds, String videoPrefix, OptionalLong servicePid,
        Path out, String label,
        // each scenario's own options (null for the others)
        CompareOptions compare, SoakOptions soak) {
    static final String USAGE = """
            usage: load.sh <scenario> [--option value ...]
            scenarios:
              load               sockets subscribe, then worker-style UPDATEs at each --rates step for --duration s
              idle               sockets subscribe and stay idle for --hold s; service heap and RSS per socket
              notify-rate        no sockets: the highest notifying commit rate, and whether the listener keeps up
              listen-per-socket  the one-LISTEN-connection-per-socket design: how many PostgreSQL admits
              compare            starts video-events' packaged jar, then the Node bridge, each on a fresh database, drives
                                 both with the same client and workers, prints one table of both and their ratios
              soak               starts video-events' packaged jar on a fresh database; well-behaved sockets that check
                                 every version beside misbehaving ones that break every documented rule, while workers
                                 change, delete and re-create videos; then: nothing left registered, heap back, nothing lost
            options (defaults in brackets):
              --service URL            the running service [http://127.0.0.1:8080]
              --database URI           its database, for the worker SQL [postgresql://postgres@127.0.0.1:5432/postgres]
              --sockets N              WebSocket clients [1000]
              --videos V               videos they watch, created if missing [100]
              --multiplexed-share F    share of sockets on /events, the rest on /videos/{id}/events [0.5]
              --videos-per-socket K    videos each /events socket subscribes to; 0: it follows the feed (every video,
                                       authentication off) and counts each change of the --videos [1]
              --rates U[,U2,...]       status changes per second, one step per value [200]
              --duration D             seconds per step [10]
              --warmup W               seconds at the first rate before measuring [0]
              --writers W              worker JDBC sessions driving the changes [4]
              --source-addresses A     loopback source addresses 127.0.0.1..127.0.0.A [1]
              --connect-concurrency C  connects in flight [200]
              --event-loops L          event loops of the load and misbehaving clients [2]
              --drain D                seconds to wait for the last deliveries [15]
              --hold H                 seconds the idle scenario holds its sockets [5]
              --video-prefix P         id prefix of the benchmark's videos [bench-]
              --service-pid PID        the service's process (found from its port when omitted)
              --out DIR                where the JSON report goes [target/bench]
              --label NAME             file name of the report [the scenario]
            compare (defaults differ: --sockets 10000 --videos 1000 --rates 1000,2000 --duration 15 --warmup 5;
                     --service and --database are not used):
              --services S[,S2,...]    video-events (the jar), native (the executable) and/or bridge, run in that
                                       order [video-events,bridge]
              --native PATH            the native executable [target/video-events-1.0.0-SNAPSHOT-runner]
              --warm-connects N        sockets connected first, not measured [3000]
              --burst N                sockets then connecting at once: CPU per connect, connects/s [5000]
              --ramp-videos V          videos the ramp's sockets watch (sockets / V per video) [100]
              --ramp-rates U[,U2,...]  ramp steps in updates/s, until p99 passes the limit; none to skip
                                       [100,200,300,400,500,600,700,800]
              --ramp-duration D        seconds per ramp step [10]
              --ramp-limit-ms L        the ramp's p99 limit [100]
              --rounds N               the whole comparison N times, the services' order turned round in every
                                       other round (A B, B A, ...); then per line the median, the range and the
                                       rounds in which the goal was met [1]
              --jar PATH               video-events' packaged jar [target/quarkus-app/quarkus-run.jar]
              --service-java PATH      the java that runs it [this tool's]
              --service-java-opts "O"  its JVM options [those the JVM image ships: see ShippedJvm]
              --service-java-opts-extra "O"  appended to them (e.g. a collector to try) []
              --bridge DIR             the Node bridge (start.sh PORT DB), run from a copy under --out
                                       [../shared/peers/node-bridge]
            soak (defaults differ: --sockets 1000 well-behaved, --videos 1200, --rates 200 changes/s, --duration 300,
                  --warmup 60, --drain 60, --source-addresses 4; --service and --database are not used;
                  --jar, --service-java, --service-java-opts and --service-java-opts-extra as for compare):
              --misbehaving N          misbehaving sockets [2000]
              --long-videos L          videos with a long history, for replays from after=0 [5]
              --long-history H         versions each of them has before the run [5000]
              --deletes-per-minute D   videos deleted (re-created 3-10 s later) per minute [30]
              --owner-changes-per-minute O  owner changes per minute [60]
              --ping-interval T        the service's video-events.socket.ping-interval, set for the run [5s]
              --pong-timeout T         the service's video-events.socket.pong-timeout, set for the run [15s]
              --heap-tolerance PCT     live heap after the soak may exceed the one before by this much [5]
            """;

    static Options parse(String[] args) {
        if (args.length == 0 || args[0].startsWith("--")) {
            throw new IllegalArgumentException("no scenario given\n" + USAGE);
        }
        Map<String, String> named = new HashMap<>();
        for (int i = 1; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value at '" + args[i] + "'\n" + USAGE);
            }
            named.put(args[i].substring(2), args[i + 1]);
        }
        Reader r = new Reader(named);
        boolean compare = args[0].equals("compare");
        boolean soak = args[0].equals("soak");
        Options options = new Options(args[0],
                URI.create(r.text("service", "http://127.0.0.1:8080")),
                r.text("database", "postgresql://postgres@127.0.0.1:5432/postgres"),
                r.integer("sockets", compare ? 10_000 : 1000),
                r.integer("videos", compare ? 1000 : soak ? 1200 : 100),
                Double.parseDouble(r.text("multiplexed-share", "0.5")),
                r.integer("videos-per-socket", 1),
                integers(r.text("rates", compare ? "1000,2000" : "200")),
                r.integer("duration", compare ? 15 : soak ? 300 : 10),
                r.integer("warmup", compare ? 5 : soak ? 60 : 0),
                r.integer("writers", 4),
                r.integer("source-addresses", soak ? 4 : 1),
                r.integer("connect-concurrency", 200),
                r.integer("event-loops", 2),
                r.integer("drain", soak ? 60 : 15),
                r.integer("hold", 5),
                r.text("video-prefix", "bench-"),
                named.containsKey("service-pid") ? OptionalLong.of(Long.parseLong(r.text("service-pid", ""))) : OptionalLong.empty(),
                Path.of(r.text("out", "target/bench")),
                r.text("label", args[0]),
                compare ? CompareOptions.parse(r) : null,
                soak ? SoakOptions.parse(r) : null);
        r.rejectUnknown();
        options.validate();
        return options;
    }

    private void validate() {
        if (!List.of("load", "idle", "notify-rate", "listen-per-socket", "compare", "soak").contains(scenario)) {
            throw new IllegalArgumentException("unknown scenario '" + scenario + "'\n" + USAGE);
        }
        if (videos < 1 || sockets < 0 || videosPerSocket < 0 || videosPerSocket > 50
                || sourceAddresses < 1 || sourceAddresses > 250 || writers < 1 || durationSeconds < 1
                || multiplexedShare < 0 || multiplexedShare > 1 || rates.stream().anyMatch(rate -> rate < 1)) {
            throw new IllegalArgumentException("an option is out of range\n" + USAGE);
        }
    }

    private static List<Integer> integers(String list) {
        return list.equals("none") ? List.of() : Arrays.stream(list.split(",")).map(String::trim).map(Integer::parseInt).toList();
    }

    /** What only {@code compare} reads. */
    record CompareOptions(List<String> services, int warmConnects, int burst, int rampVideos,
            List<Integer> rampRates, int rampDuration, int rampLimitMs, Path jar, Path serviceJava, List<String> serviceJavaOptions,
            List<String> serviceJavaOptionsExtra, Path bridge, int rounds, Path nativeExecutable) {

        static CompareOptions parse(Reader r) {
            String opts = r.text("service-java-opts", null);
            CompareOptions c = new CompareOptions(
                    List.of(r.text("services", "video-events,bridge").split(",")),
                    r.integer("warm-connects", 3000),
                    r.integer("burst", 5000),
                    r.integer("ramp-videos", 100),
                    integers(r.text("ramp-rates", "100,200,300,400,500,600,700,800")),
                    r.integer("ramp-duration", 10),
                    r.integer("ramp-limit-ms", 100),
                    Path.of(r.text("jar", "target/quarkus-app/quarkus-run.jar")),
                    Path.of(r.text("service-java", Path.of(System.getProperty("java.home"), "bin", "java").toString())),
                    opts == null ? ShippedJvm.options() : ShippedJvm.split(opts),
                    ShippedJvm.split(r.text("service-java-opts-extra", "")),
                    Path.of(r.text("bridge", "../shared/peers/node-bridge")),
                    r.integer("rounds", 1),
                    Path.of(r.text("native", "target/video-events-1.0.0-SNAPSHOT-runner")));
            if (c.rounds < 1) {
                throw new IllegalArgumentException("--rounds takes a count of 1 or more\n" + USAGE);
            }
            for (String service : c.services) {
                if (!List.of(Compare.VIDEO_EVENTS, Compare.NATIVE, Compare.BRIDGE).contains(service)) {
                    throw new IllegalArgumentException("--services takes video-events, native and/or bridge, not " + service + "\n" + USAGE);
                }
            }
            return c;
        }
    }

    /** What only {@code soak} reads. */
    record SoakOptions(int misbehaving, int longVideos, int longHistory, int deletesPerMinute,
            int ownerChangesPerMinute, String pingInterval, String pongTimeout, double heapTolerancePercent, Path jar,
            Path serviceJava, List<String> serviceJavaOptions, List<String> serviceJavaOptionsExtra) {

        static SoakOptions parse(Reader r) {
            String opts = r.text("service-java-opts", null);
            return new SoakOptions(
                    r.integer("misbehaving", 2000),
                    r.integer("long-videos", 5),
                    r.integer("long-history", 5000),
                    r.integer("deletes-per-minute", 30),
                    r.integer("owner-changes-per-minute", 60),
                    r.text("ping-interval", "5s"),
                    r.text("pong-timeout", "15s"),
                    Double.parseDouble(r.text("heap-tolerance", "5")),
                    Path.of(r.text("jar", "target/quarkus-app/quarkus-run.jar")),
                    Path.of(r.text("service-java", Path.of(System.getProperty("java.home"), "bin", "java").toString())),
                    opts == null ? List.of() : ShippedJvm.split(opts),
                    ShippedJvm.split(r.text("service-java-opts-extra", "")));
        }

        /** The service's JVM options: those it ships with unless replaced, plus the extra ones. */
        List<String> jvmOptions() {
            List<String> all = new ArrayList<>(serviceJavaOptions.isEmpty() ? ShippedJvm.options() : serviceJavaOptions);
            all.addAll(serviceJavaOptionsExtra);
            return all;
        }

        /** Seconds in a duration setting such as {@code 15s}, {@code 500ms} or {@code 1m}. */
        static double seconds(String duration) {
            String d = duration.trim();
            if (d.endsWith("ms")) {
                return Double.parseDouble(d.substring(0, d.length() - 2)) / 1000;
            }
            if (d.endsWith("s")) {
                return Double.parseDouble(d.substring(0, d.length() - 1));
            }
            if (d.endsWith("m")) {
                return Double.parseDouble(d.substring(0, d.length() - 1)) * 60;
            }
            return Double.parseDouble(d);
        }
    }

    /** The id of video {@code index}. */
    String videoId(int index) {
        return videoPrefix + String.format("%06d", index);
    }

    static final class Reader {
        private final Map<String, String> named;
        private final java.util.Set<String> used = new java.util.HashSet<>();

        Reader(Map<String, String> named) {
            this.named = named;
        }

        String text(String name, String fallback) {
            used.add(name);
            return named.getOrDefault(name, fallback);
        }

        int integer(String name, int fallback) {
            String value = text(name, null);
            return value == null ? fallback : Integer.parseInt(value.replace("_", ""));
        }

        void rejectUnknown() {
            for (String name : named.keySet()) {
                if (!used.contains(name)) {
                    throw new IllegalArgumentException("unknown option --" + name + "\n" + USAGE);
                }
            }
        }
    }
}

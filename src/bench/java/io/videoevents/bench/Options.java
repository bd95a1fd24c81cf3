package io.videoevents.bench;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Everything a run is told on the command line ({@code --name value}); see {@link #USAGE}. Child
 * processes get the same options back as arguments, plus their share of the sockets.
 */
record Options(
        String scenario,
        URI service,
        String database,
        int sockets,
        int videos,
        double multiplexedShare,
        int videosPerSocket,
        List<Integer> rates,
        int durationSeconds,
        int warmupSeconds,
        int writers,
        int processes,
        int sourceAddresses,
        int connectConcurrency,
        int eventLoops,
        int drainSeconds,
        int holdSeconds,
        String videoPrefix,
        OptionalLong servicePid,
        Path out,
        String label,
        // set for a child process only: the slice of sockets it holds
        int sliceFrom,
        int sliceTo) {

    static final String USAGE = """
            usage: load.sh <scenario> [--option value ...]
            scenarios:
              load               sockets subscribe, then worker-style UPDATEs at each --rates step for --duration s
              idle               sockets subscribe and stay idle for --hold s; service heap and RSS per socket
              notify-rate        no sockets: the highest notifying commit rate, and whether the listener keeps up
              listen-per-socket  the one-LISTEN-connection-per-socket design: how many PostgreSQL admits
            options (defaults in brackets):
              --service URL            the running service [http://127.0.0.1:8080]
              --database URI           its database, for the worker SQL [postgresql://postgres@127.0.0.1:5432/postgres]
              --sockets N              WebSocket clients [1000]
              --videos V               videos they watch, created if missing [100]
              --multiplexed-share F    share of sockets on /events, the rest on /videos/{id}/events [0.5]
              --videos-per-socket K    videos each /events socket subscribes to [1]
              --rates U[,U2,...]       status changes per second, one step per value [200]
              --duration D             seconds per step [10]
              --warmup W               seconds at the first rate before measuring [0]
              --writers W              worker connections driving the changes [4]
              --processes P            receiver processes (each may hold ~19,000 sockets here) [1]
              --source-addresses A     loopback source addresses 127.0.0.1..127.0.0.A [1]
              --connect-concurrency C  connects in flight [200]
              --event-loops L          event loops per receiver process [2]
              --drain D                seconds to wait for the last deliveries [15]
              --hold H                 seconds the idle scenario holds its sockets [5]
              --video-prefix P         id prefix of the benchmark's videos [bench-]
              --service-pid PID        the service's process (found from its port when omitted)
              --out DIR                where the JSON report and the latency plot go [target/bench]
              --label NAME             file name of the report [the scenario]
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
        Options options = new Options(args[0],
                URI.create(r.text("service", "http://127.0.0.1:8080")),
                r.text("database", "postgresql://postgres@127.0.0.1:5432/postgres"),
                r.integer("sockets", 1000),
                r.integer("videos", 100),
                Double.parseDouble(r.text("multiplexed-share", "0.5")),
                r.integer("videos-per-socket", 1),
                Arrays.stream(r.text("rates", "200").split(",")).map(String::trim).map(Integer::parseInt).toList(),
                r.integer("duration", 10),
                r.integer("warmup", 0),
                r.integer("writers", 4),
                r.integer("processes", 1),
                r.integer("source-addresses", 1),
                r.integer("connect-concurrency", 200),
                r.integer("event-loops", 2),
                r.integer("drain", 15),
                r.integer("hold", 5),
                r.text("video-prefix", "bench-"),
                named.containsKey("service-pid") ? OptionalLong.of(Long.parseLong(r.text("service-pid", ""))) : OptionalLong.empty(),
                Path.of(r.text("out", "target/bench")),
                r.text("label", args[0]),
                r.integer("slice-from", 0),
                r.integer("slice-to", -1));
        r.rejectUnknown();
        options.validate();
        return options;
    }

    private void validate() {
        if (!List.of("load", "idle", "notify-rate", "listen-per-socket", "receiver").contains(scenario)) {
            throw new IllegalArgumentException("unknown scenario '" + scenario + "'\n" + USAGE);
        }
        if (videos < 1 || sockets < 0 || videosPerSocket < 1 || videosPerSocket > 50 || processes < 1
                || sourceAddresses < 1 || sourceAddresses > 250 || writers < 1 || durationSeconds < 1
                || multiplexedShare < 0 || multiplexedShare > 1 || rates.stream().anyMatch(rate -> rate < 1)) {
            throw new IllegalArgumentException("an option is out of range\n" + USAGE);
        }
    }

    /** The sockets this process holds: all of them, or a child's slice. */
    int from() {
        return sliceFrom;
    }

    int to() {
        return sliceTo < 0 ? sockets : sliceTo;
    }

    /** The arguments that make a child process hold sockets [from, to). */
    List<String> childArguments(int from, int to) {
        List<String> args = new ArrayList<>(List.of("receiver",
                "--service", service.toString(), "--database", database,
                "--sockets", String.valueOf(sockets), "--videos", String.valueOf(videos),
                "--multiplexed-share", String.valueOf(multiplexedShare),
                "--videos-per-socket", String.valueOf(videosPerSocket),
                "--source-addresses", String.valueOf(sourceAddresses),
                "--connect-concurrency", String.valueOf(connectConcurrency),
                "--event-loops", String.valueOf(eventLoops),
                "--video-prefix", videoPrefix,
                "--slice-from", String.valueOf(from), "--slice-to", String.valueOf(to)));
        return args;
    }

    /** The id of video {@code index}. */
    String videoId(int index) {
        return videoPrefix + String.format("%06d", index);
    }

    private static final class Reader {
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

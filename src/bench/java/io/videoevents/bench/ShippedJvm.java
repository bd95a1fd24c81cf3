package io.videoevents.bench;

import java.io.*;
import java.nio.file.*;
import java.util.*;
import java.util.regex.*;

/** The JVM options video-events ships with, derived in this one place so that the benchmark follows any change to them. */
final class ShippedJvm {
    static final Path DOCKERFILE = Path.of("src/main/docker/Dockerfile.jvm");
    static final Path APPLICATION_PROPERTIES = Path.of("src/main/resources/application.properties");
    private static final Pattern ENV = Pattern.compile("^ENV\\s+(\\w+)=(\"([^\"]*)\"|(\\S*))\\s*$");

    private ShippedJvm() {
    }

    /** Prints the options on one line, for the benchmark scripts that start the service themselves (feed.sh, relay-latency.sh). */
    public static void main(String[] args) {
        System.out.println(String.join(" ", options()));
    }

    /** The options, read from the Dockerfile and the manifest's memory limit in the current directory's project. */
    static List<String> options() {
        return options(DOCKERFILE, APPLICATION_PROPERTIES);
    }

    static List<String> options(Path dockerfile, Path applicationProperties) {
        Map<String, String> env = dockerfileEnv(dockerfile);
        List<String> options = new ArrayList<>();
        memoryLimit(applicationProperties).ifPresent(limit -> options.add("-XX:MaxRAM=" + limit));
        if (env.containsKey("JAVA_OPTS")) {
            // the script uses JAVA_OPTS as given, instead of everything below
            options.addAll(split(env.get("JAVA_OPTS")));
            return options;
        }
        String initial = env.get("JAVA_INITIAL_MEM_RATIO");
        if (env.containsKey("JAVA_MAX_INITIAL_MEM")) {
            options.add("-Xms" + env.get("JAVA_MAX_INITIAL_MEM"));
        } else if (initial != null) {
            options.add(String.format(Locale.ROOT, "-XX:InitialRAMPercentage=%.0f.0", Double.parseDouble(initial)));
        }
        String maxRatio = env.getOrDefault("JAVA_MAX_MEM_RATIO", "");
        if (!maxRatio.equals("0")) {
            options.add(maxRatio.isEmpty() ? "-XX:MaxRAMPercentage=50.0"
                    : String.format(Locale.ROOT, "-XX:MaxRAMPercentage=%.0f.0", Double.parseDouble(maxRatio)));
        }
        options.addAll(split(env.getOrDefault("GC_CONTAINER_OPTIONS", "-XX:+UseParallelGC")));
        options.add("-XX:MinHeapFreeRatio=" + env.getOrDefault("GC_MIN_HEAP_FREE_RATIO", "10"));
        options.add("-XX:MaxHeapFreeRatio=" + env.getOrDefault("GC_MAX_HEAP_FREE_RATIO", "20"));
        options.add("-XX:GCTimeRatio=" + env.getOrDefault("GC_TIME_RATIO", "4"));
        options.add("-XX:AdaptiveSizePolicyWeight=" + env.getOrDefault("GC_ADAPTIVE_SIZE_POLICY_WEIGHT", "90"));
        if (env.containsKey("GC_MAX_METASPACE_SIZE")) {
            options.add("-XX:MaxMetaspaceSize=" + env.get("GC_MAX_METASPACE_SIZE") + "m");
        }
        if (env.containsKey("GC_METASPACE_SIZE")) {
            options.add("-XX:MetaspaceSize=" + env.get("GC_METASPACE_SIZE") + "m");
        }
        options.add("-XX:+ExitOnOutOfMemoryError");
        options.addAll(split(env.getOrDefault("JAVA_OPTS_APPEND", "")));
        return options;
    }

    /** The Dockerfile's {@code ENV NAME=value} settings. */
    static Map<String, String> dockerfileEnv(Path dockerfile) {
        Map<String, String> env = new HashMap<>();
        try {
            for (String line : Files.readAllLines(dockerfile)) {
                Matcher m = ENV.matcher(line.trim());
                if (m.matches()) {
                    env.put(m.group(1), m.group(3) != null ? m.group(3) : m.group(4));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dockerfile + " (run from the project's directory)", e);
        }
        return env;
    }

    /** The pod's memory limit in bytes ({@code 512Mi} → {@code 536870912}), when the manifest sets one. */
    static java.util.Optional<String> memoryLimit(Path applicationProperties) {
        String value = applicationProperties(applicationProperties).getProperty("quarkus.kubernetes.resources.limits.memory");
        Matcher m = Pattern.compile("(\\d+)(Ki|Mi|Gi|K|M|G)?").matcher(value == null ? "" : value.trim());
        if (!m.matches()) {
            return java.util.Optional.empty();
        }
        long unit = switch (m.group(2) == null ? "" : m.group(2)) {
            case "Ki" -> 1L << 10;
            case "Mi" -> 1L << 20;
            case "Gi" -> 1L << 30;
            case "K" -> 1_000L;
            case "M" -> 1_000_000L;
            case "G" -> 1_000_000_000L;
            default -> 1L;
        };
        return java.util.Optional.of(String.valueOf(Long.parseLong(m.group(1)) * unit));
    }

    /** The settings of an application.properties file. */
    static java.util.Properties applicationProperties(Path file) {
        java.util.Properties properties = new java.util.Properties();
        try (var in = Files.newBufferedReader(file)) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + " (run from the project's directory)", e);
        }
        return properties;
    }

    static List<String> split(String options) {
        return options.isBlank() ? List.of() : Arrays.asList(options.trim().split("\\s+"));
    }
}

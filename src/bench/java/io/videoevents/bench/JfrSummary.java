package io.videoevents.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * What a JFR recording says about one time window: CPU samples by method (the sampled frame itself,
 * and every method on the sampled stacks), allocation by class and by the allocating frames, and the
 * collector's pauses. {@code java ... JfrSummary FILE FROM_UPTIME_S TO_UPTIME_S} reads a window given
 * in seconds since the JVM started; the compare scenario calls it for its first load step.
 */
final class JfrSummary {

    private JfrSummary() {
    }

    public static void main(String[] args) {
        System.out.print(summary(Path.of(args[0]), Double.parseDouble(args[1]), Double.parseDouble(args[2]), true));
    }

    /** The window as seconds since the JVM started ({@code uptime}) or, with {@code uptime} false, as epoch seconds. */
    static String summary(Path file, double from, double to, boolean uptime) {
        Map<String, Long> self = new HashMap<>();
        Map<String, Long> inclusive = new HashMap<>();
        Map<String, Double> allocByClass = new HashMap<>();
        Map<String, Double> allocBySite = new HashMap<>();
        List<String> pauses = new ArrayList<>();
        long samples = 0;
        double allocated = 0;
        double pauseMs = 0;
        Instant jvmStart = null;
        List<RecordedEvent> events = new ArrayList<>();
        try (RecordingFile recording = new RecordingFile(file)) {
            while (recording.hasMoreEvents()) {
                RecordedEvent e = recording.readEvent();
                String type = e.getEventType().getName();
                if (type.equals("jdk.JVMInformation") && jvmStart == null) {
                    jvmStart = e.getInstant("jvmStartTime");
                } else if (type.equals("jdk.ExecutionSample") || type.equals("jdk.ObjectAllocationSample")
                        || type.equals("jdk.GarbageCollection")) {
                    events.add(e);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Instant base = uptime ? (jvmStart == null ? Instant.EPOCH : jvmStart) : Instant.EPOCH;
        Instant start = base.plusMillis((long) (from * 1000));
        Instant end = base.plusMillis((long) (to * 1000));
        for (RecordedEvent e : events) {
            if (e.getStartTime().isBefore(start) || e.getStartTime().isAfter(end)) {
                continue;
            }
            switch (e.getEventType().getName()) {
                case "jdk.ExecutionSample" -> {
                    List<String> frames = frames(e.getStackTrace(), 64);
                    if (frames.isEmpty()) {
                        continue;
                    }
                    samples++;
                    self.merge(frames.get(0), 1L, Long::sum);
                    Set<String> seen = new HashSet<>();
                    for (String frame : frames) {
                        if (seen.add(frame)) {
                            inclusive.merge(frame, 1L, Long::sum);
                        }
                    }
                }
                case "jdk.ObjectAllocationSample" -> {
                    double weight = e.getLong("weight");
                    allocated += weight;
                    allocByClass.merge(e.getClass("objectClass").getName(), weight, Double::sum);
                    List<String> frames = frames(e.getStackTrace(), 4);
                    allocBySite.merge(String.join(" < ", frames), weight, Double::sum);
                }
                default -> {
                    double ms = e.getDuration("sumOfPauses").toNanos() / 1e6;
                    pauseMs += ms;
                    pauses.add(String.format(Locale.ROOT, "%.1f s %s (%s) %.1f ms",
                            Duration.between(jvmStart == null ? start : jvmStart, e.getStartTime()).toMillis() / 1000.0,
                            e.getString("name"), e.getString("cause"), ms));
                }
            }
        }
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "window %.1f .. %.1f s: %,d execution samples, %.1f MB allocated (sampled weight), "
                + "%d collections, %.0f ms paused%n", from, to, samples, allocated / 1e6, pauses.size(), pauseMs));
        out.append("\n-- CPU samples by sampled method (self)\n");
        top(self, samples, 25, out);
        out.append("\n-- CPU samples by method anywhere on the stack (inclusive)\n");
        top(inclusive, samples, 60, out);
        out.append("\n-- allocation by class\n");
        topWeighted(allocByClass, allocated, 20, out);
        out.append("\n-- allocation by site (four innermost frames)\n");
        topWeighted(allocBySite, allocated, 25, out);
        out.append("\n-- collections\n");
        pauses.forEach(p -> out.append("  ").append(p).append('\n'));
        return out.toString();
    }

    private static List<String> frames(RecordedStackTrace trace, int depth) {
        List<String> frames = new ArrayList<>();
        if (trace == null) {
            return frames;
        }
        for (RecordedFrame frame : trace.getFrames()) {
            if (frames.size() == depth) {
                break;
            }
            frames.add(frame.getMethod().getType().getName() + "." + frame.getMethod().getName());
        }
        return frames;
    }

    private static void top(Map<String, Long> counts, long total, int n, StringBuilder out) {
        counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(n)
                .forEach(e -> out.append(String.format(Locale.ROOT, "%6d %5.1f %%  %s%n", e.getValue(), 100.0 * e.getValue() / total,
                        e.getKey())));
    }

    private static void topWeighted(Map<String, Double> weights, double total, int n, StringBuilder out) {
        weights.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(n)
                .forEach(e -> out.append(String.format(Locale.ROOT, "%5.1f %%  %s%n", 100 * e.getValue() / total, e.getKey())));
    }
}

package io.videoevents.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What each socket adds to the heap, by class: the difference of two {@code jcmd GC.class_histogram}
 * outputs (live objects only: the command collects first), divided by the sockets opened in between.
 */
final class HistogramDiff {

    private HistogramDiff() {
    }

    private record Entry(long instances, long bytes) {
    }

    static String perSocket(Path before, Path after, int sockets, int top) {
        Map<String, Entry> a = read(before);
        Map<String, Entry> b = read(after);
        Set<String> classes = new HashSet<>(a.keySet());
        classes.addAll(b.keySet());
        long total = 0;
        List<Map.Entry<String, Entry>> diff = new java.util.ArrayList<>();
        for (String name : classes) {
            Entry x = a.getOrDefault(name, new Entry(0, 0));
            Entry y = b.getOrDefault(name, new Entry(0, 0));
            Entry d = new Entry(y.instances - x.instances, y.bytes - x.bytes);
            total += d.bytes;
            diff.add(Map.entry(name, d));
        }
        diff.sort((p, q) -> Long.compare(q.getValue().bytes, p.getValue().bytes));
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
                "live heap added per socket (%,d sockets): %,.0f B in all; the largest contributors:%n%12s %10s  %s%n", sockets,
                (double) total / sockets, "B/socket", "obj/socket", "class"));
        for (Map.Entry<String, Entry> e : diff.subList(0, Math.min(top, diff.size()))) {
            out.append(String.format(Locale.ROOT, "%12.1f %10.2f  %s%n", (double) e.getValue().bytes / sockets,
                    (double) e.getValue().instances / sockets, e.getKey()));
        }
        return out.toString();
    }

    /** class name → instances and bytes, from lines like {@code    1:   12345   678900  java.lang.String (java.base@17)}. */
    private static Map<String, Entry> read(Path histogram) {
        Map<String, Entry> entries = new HashMap<>();
        try {
            for (String line : Files.readAllLines(histogram)) {
                String[] f = line.trim().split("\\s+");
                if (f.length >= 4 && f[0].endsWith(":") && f[1].matches("\\d+") && f[2].matches("\\d+")) {
                    entries.merge(f[3], new Entry(Long.parseLong(f[1]), Long.parseLong(f[2])),
                            (x, y) -> new Entry(x.instances + y.instances, x.bytes + y.bytes));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return entries;
    }
}

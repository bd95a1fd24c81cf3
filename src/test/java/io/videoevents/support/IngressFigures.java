package io.videoevents.support;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The sizes the ingress tests run at (system properties, so that {@code src/bench/ingress.sh} runs the same
 * tests at full size) and the figures they print.
 */
public final class IngressFigures {

    private IngressFigures() {
    }

    /** Sockets through nginx ({@code ingress.sockets}). */
    public static int sockets(int fallback) {
        return Integer.getInteger("ingress.sockets", fallback);
    }

    /** Videos the sockets watch ({@code ingress.videos}). */
    public static int videos(int fallback) {
        return Integer.getInteger("ingress.videos", fallback);
    }

    /** Status changes per second ({@code ingress.rate}). */
    public static int rate(int fallback) {
        return Integer.getInteger("ingress.rate", fallback);
    }

    /** The replicas' drain window ({@code ingress.drain-window}, seconds). */
    public static Duration drainWindow(int fallbackSeconds) {
        return Duration.ofSeconds(Integer.getInteger("ingress.drain-window", fallbackSeconds));
    }

    /** A duration in seconds from {@code property}. */
    public static Duration seconds(String property, int fallback) {
        return Duration.ofSeconds(Integer.getInteger(property, fallback));
    }

    /** Clients for {@code sockets} sockets spread round-robin over the videos. */
    public static List<String> spread(List<String> videos, int sockets) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < sockets; i++) {
            ids.add(videos.get(i % videos.size()));
        }
        return ids;
    }

    /** Counts of {@code values} in buckets of {@code width}: bucket start → count. */
    public static Map<Long, Integer> histogram(List<Long> values, long width) {
        Map<Long, Integer> buckets = new TreeMap<>();
        for (long value : values) {
            buckets.merge(Math.floorDiv(value, width) * width, 1, Integer::sum);
        }
        return buckets;
    }

    /** A histogram as text lines: {@code  from–to unit  count  bar}. */
    public static String render(Map<Long, Integer> histogram, long width, String unit) {
        int max = histogram.values().stream().mapToInt(Integer::intValue).max().orElse(1);
        StringBuilder out = new StringBuilder();
        histogram.forEach((from, count) -> out.append(String.format("  %6d–%-6d %s %6d  %s%n", from, from + width, unit, count,
                "#".repeat((int) Math.ceil(40.0 * count / max)))));
        return out.toString();
    }

    /** The value at quantile {@code q} (0..1) of {@code values}, 0 if there are none. */
    public static long quantile(List<Long> values, double q) {
        if (values.isEmpty()) {
            return 0;
        }
        List<Long> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.floor(q * sorted.size())));
    }
}

package io.videoevents.bench;

import java.util.*;

/** What a run found, printed as text and written as JSON. */
public record Report(String scenario, String description, Fleet.Connected connected, long servicePid,
        ServiceProbe.Memory serviceAtStart, ServiceProbe.Memory serviceWithSockets, ServiceProbe.Memory serviceAtEnd,
        PerSocket perSocket, int pgConnectionsAtStart, int pgConnectionsWithSockets, int pgConnectionsAtEnd,
        List<String> pgConnectionNames, int pgMaxConnections, List<LoadTool.StepFigures> steps, long expected, long received,
        long lost, long duplicates, long outOfOrder, long unmatched, long beforeAck, long errors, long unexpectedCloses,
        List<String> samples, List<String> lines, Boolean linesClean) {

    /** The service's memory growth per subscribed socket, in bytes (-1 when unknown). */
    public record PerSocket(long heapBytes, long rssBytes) {
    }

    static Report lines(String scenario, String description, List<String> lines, boolean clean) {
        return new Report(scenario, description, null, -1, null, null, null, null, 0, 0, 0, List.of(), 0, List.of(), 0, 0, 0, 0,
                0, 0, 0, 0, 0, List.of(), lines, clean);
    }

    /** True when every socket came up and nothing was lost, duplicated, reordered, refused or closed on us. */
    public boolean clean() {
        if (linesClean != null) {
            return linesClean;
        }
        return connected.failed() == 0 && connected.ready() == connected.sockets() && lost == 0 && duplicates == 0
                && outOfOrder == 0 && errors == 0 && unexpectedCloses == 0;
    }

    String text() {
        StringBuilder out = new StringBuilder("== video-events benchmark, ").append(description).append('\n');
        if (linesClean != null) {
            lines.forEach(line -> out.append(line).append('\n'));
            return out.toString();
        }
        out.append(String.format(Locale.ROOT, "sockets: %,d ready of %,d, %d failed, in %.1f s (%,.0f connects/s)%n", connected.ready(),
                connected.sockets(), connected.failed(), connected.seconds(), connected.perSecond()));
        out.append(String.format(Locale.ROOT, "service (pid %d): at start %s; with sockets %s; at end %s%n", servicePid,
                memory(serviceAtStart), memory(serviceWithSockets), memory(serviceAtEnd)));
        out.append(String.format(Locale.ROOT, "per subscribed socket: heap %s, RSS %s%n", bytes(perSocket.heapBytes()),
                bytes(perSocket.rssBytes())));
        out.append(String.format(Locale.ROOT, "PostgreSQL connections held by the service: %d at start, %d with sockets, %d at end %s "
                + "(max_connections %d)%n", pgConnectionsAtStart, pgConnectionsWithSockets, pgConnectionsAtEnd,
                pgConnectionNames, pgMaxConnections));
        if (!steps.isEmpty()) {
            out.append("latency: commit acknowledged to the writer → frame received (and, after the bar, UPDATE sent → received)\n");
            out.append(String.format(Locale.ROOT, "%10s %10s %13s %9s %8s %8s %8s %8s %10s | %8s %8s %8s | %s%n", "target/s", "changes/s",
                    "deliveries/s", "p50 ms", "p95 ms", "p99 ms", "p99.9 ms", "max ms", "events", "p50 ms", "p99 ms", "max ms",
                    "service CPU"));
            for (LoadTool.StepFigures s : steps) {
                out.append(String.format(Locale.ROOT, "%,10d %,10.0f %,13.0f %9.2f %8.2f %8.2f %8.2f %8.1f %,10d | %8.2f %8.2f %8.1f | %.0f %% (user %.1f + kernel %.1f µs, %,.0f B allocated per delivery)%n",
                        s.targetChangesPerSecond(), s.changesPerSecond(), s.deliveriesPerSecond(), s.p50Ms(), s.p95Ms(), s.p99Ms(),
                        s.p999Ms(), s.maxMs(), s.deliveries(), s.sentP50Ms(), s.sentP99Ms(), s.sentMaxMs(), s.serviceCpuPercent(),
                        s.serviceUserMicrosPerDelivery(), s.serviceSystemMicrosPerDelivery(), s.serviceAllocatedBytesPerDelivery()));
            }
        }
        out.append(String.format(Locale.ROOT, "deliveries: %,d expected, %,d received; lost %d, duplicated %d, out of order %d, "
                + "errors %d, closed by the service %d (not from the driver %d, before the commit ack %d)%n", expected, received, lost,
                duplicates, outOfOrder, errors, unexpectedCloses, unmatched, beforeAck));
        samples.forEach(sample -> out.append("  ").append(sample).append('\n'));
        out.append(clean() ? "RESULT: clean" : "RESULT: NOT CLEAN").append('\n');
        return out.toString();
    }

    private static String memory(ServiceProbe.Memory memory) {
        return "RSS " + bytes(memory.rss()) + ", heap " + bytes(memory.heap());
    }

    private static String bytes(long bytes) {
        if (bytes < 0) {
            return "n/a";
        }
        if (bytes < 100 * 1024) {
            return String.format(Locale.ROOT, "%,d B", bytes);
        }
        return String.format(Locale.ROOT, "%,.1f MiB", bytes / 1048576.0);
    }
}

package io.videoevents.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.videoevents.support.PackagedApp;
import io.videoevents.support.ThrowawayDatabase;

/**
 * The benchmark in small, on every build: the packaged service on a PostgreSQL of its own, 500
 * sockets over both endpoints, 200 status changes per second for 10 s. It checks what must hold at
 * any speed (every socket up, every change delivered once and in order, the service holding its pool
 * plus one connection) and prints the latency figures without judging them: on a shared CI machine
 * they are information, not a pass mark. The full runs are in BENCHMARKS.md.
 */
class BenchmarkSmokeIT {

    /** quarkus.datasource.reactive.max-size in application.properties, plus the LISTEN connection */
    private static final int POOL_PLUS_LISTENER = 8 + 1;

    @Test
    void fiveHundredSocketsTwoHundredChangesPerSecondNothingLost() {
        try (ThrowawayDatabase db = new ThrowawayDatabase()) {
            Map<String, String> settings = new HashMap<>(db.settings());
            settings.put("video-events.auth.enabled", "false");
            try (PackagedApp app = PackagedApp.start("bench-smoke", settings)) {
                Report report = LoadTool.run("load",
                        "--service", "http://127.0.0.1:" + app.base().getPort(),
                        "--database", db.reactiveUrl(),
                        "--service-pid", String.valueOf(app.pid()),
                        "--sockets", "500", "--videos", "50", "--rates", "200", "--duration", "10",
                        "--out", "target/bench", "--label", "ci-smoke");

                assertThat(report.connected().ready()).isEqualTo(500);
                // 2,000 changes, 10 subscribers each; half of that proves the run drove traffic without judging its pace
                assertThat(report.expected()).as("changes × subscribers").isGreaterThan(10_000L);
                assertThat(report.received()).isEqualTo(report.expected());
                assertThat(report.lost()).isZero();
                assertThat(report.duplicates()).isZero();
                assertThat(report.outOfOrder()).isZero();
                assertThat(report.errors()).isZero();
                assertThat(report.unexpectedCloses()).isZero();
                assertThat(report.pgConnectionsAtEnd()).isBetween(2, POOL_PLUS_LISTENER);
                assertThat(report.pgConnectionNames()).contains("video-events-listener");
            }
        }
    }
}

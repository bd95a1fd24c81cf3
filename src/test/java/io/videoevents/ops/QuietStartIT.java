package io.videoevents.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.videoevents.support.JsonLog;
import io.videoevents.support.PackagedApp;
import io.videoevents.support.ThrowawayDatabase;

/**
 * A newcomer's first start prints nothing that reads as "something is broken": no WARN or ERROR line, neither
 * from {@code ./mvnw quarkus:dev} on the embedded PostgreSQL (a machine without Docker, as the README's first
 * command runs it) nor from the packaged application against a server with authentication on (as production runs
 * it). A line that is about the operator's own settings would be allowed, but neither start here has one.
 */
class QuietStartIT {

    @Test
    void thePackagedApplicationStartsWithoutWarnings() {
        try (ThrowawayDatabase db = new ThrowawayDatabase();
                PackagedApp app = PackagedApp.start("quiet-start", db.settings())) {
            // the listener's reconnect-free start includes its key read and its LISTEN: both connections are made
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> PackagedApp.log("quiet-start").contains("LISTENing"));
            assertThat(warningsAndErrors(PackagedApp.log("quiet-start"))).isEmpty();
        }
    }

    /**
     * Runs the README's first command in this project, as a new user would, without the datasource variables CI may
     * have set (so the embedded PostgreSQL starts), and reads everything it prints until the service LISTENs.
     */
    @Test
    void devModeOnTheEmbeddedDatabaseStartsWithoutWarnings() throws IOException, InterruptedException {
        Path log = Path.of("target", "quiet-start-dev.log");
        ProcessBuilder builder = new ProcessBuilder("./mvnw", "-B", "quarkus:dev",
                "-Dquarkus.http.port=" + PackagedApp.freePort(),
                // no debugger port (several builds may share a machine) and no questions on the console
                "-Ddebug=false", "-Dquarkus.analytics.disabled=true")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("QUARKUS_DATASOURCE_"));
        Process dev = builder.start();
        try {
            Awaitility.await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(500))
                    .until(() -> !dev.isAlive() || Files.readString(log).contains("LISTENing on channel"));
            String printed = Files.readString(log);
            assertThat(dev.isAlive()).as("dev mode ended before it LISTENed:%n%s", printed).isTrue();
            assertThat(printed).contains("Embedded PostgreSQL started").doesNotContain("initdb");
            assertThat(warningsAndErrors(printed)).isEmpty();
        } finally {
            dev.descendants().forEach(ProcessHandle::destroy);
            dev.destroy();
            if (!dev.waitFor(60, TimeUnit.SECONDS)) {
                dev.descendants().forEach(ProcessHandle::destroyForcibly);
                dev.destroyForcibly();
            }
        }
    }

    /**
     * The service's WARN and ERROR lines. Maven's own {@code [WARNING]} lines are not the service's: the one it prints
     * here says that {@code quarkus-junit5}, which the build names on purpose, is now published as
     * {@code quarkus-junit}.
     */
    private static List<String> warningsAndErrors(String log) {
        return log.lines().filter(JsonLog::isWarningOrError).toList();
    }
}

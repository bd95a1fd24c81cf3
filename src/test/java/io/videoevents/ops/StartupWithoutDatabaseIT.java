package io.videoevents.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.videoevents.support.PackagedApp;

/** The packaged application without any database settings stops at once and names what to set. */
class StartupWithoutDatabaseIT {

    @Test
    void stopsWithAMessageNamingTheVariables() throws Exception {
        Path log = Path.of("target", "no-database.log");
        ProcessBuilder builder = new ProcessBuilder(PackagedApp.command(0, Map.of()))
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("QUARKUS_DATASOURCE"));
        Process process = builder.start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("exits by itself").isTrue();
        assertThat(process.exitValue()).isNotZero();
        assertThat(Files.readString(log))
                .contains("QUARKUS_DATASOURCE_JDBC_URL")
                .contains("QUARKUS_DATASOURCE_REACTIVE_URL");
    }
}

package io.videoevents.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * The JVM's options have one source, {@code src/main/docker/Dockerfile.jvm}: the Jib-built image, the benchmark
 * ({@link ShippedJvm}) and the line the docs give for running the jar outside any image must all say the same.
 */
class ShippedJvmTest {

    private static final Pattern FROM = Pattern.compile("(?m)^FROM\\s+(\\S+)");
    private static final Pattern JDK_MAJOR = Pattern.compile("openjdk-(\\d+)");

    @Test
    void theJibImageRunsTheSameJvmWithTheSameOptionsAsTheDockerfile() throws IOException {
        Map<String, String> env = ShippedJvm.dockerfileEnv(ShippedJvm.DOCKERFILE);
        Properties properties = ShippedJvm.applicationProperties(ShippedJvm.APPLICATION_PROPERTIES);

        List<String> dockerfileJvmFlags = ShippedJvm.split(env.get("JAVA_OPTS_APPEND")).stream()
                .filter(o -> o.startsWith("-XX:")).toList();
        assertThat(dockerfileJvmFlags).as("the Dockerfile's JVM flags").isNotEmpty();
        assertThat(ShippedJvm.split(properties.getProperty("quarkus.jib.jvm-additional-arguments", "")))
                .as("quarkus.jib.jvm-additional-arguments").containsExactlyElementsOf(dockerfileJvmFlags);
        for (String variable : List.of("JAVA_INITIAL_MEM_RATIO", "JAVA_MAX_MEM_RATIO", "GC_CONTAINER_OPTIONS")) {
            assertThat(properties.getProperty("quarkus.jib.environment-variables." + variable))
                    .as("Jib's %s", variable).isEqualTo(env.get(variable));
        }
        assertThat(jdkMajor(properties.getProperty("quarkus.jib.base-jvm-image", "")))
                .as("the JDK of Jib's base image").isEqualTo(jdkMajor(dockerfileBaseImage()));
    }

    @Test
    void theDocsRunTheJarOutsideAnImageWithTheShippedOptions() throws IOException {
        String line = "java " + String.join(" ", ShippedJvm.options()) + " -jar target/quarkus-app/quarkus-run.jar";
        assertThat(Files.readString(Path.of("docs/operations.md"))).as("docs/operations.md").contains(line);
        assertThat(Files.readString(Path.of("docs/production.md"))).as("docs/production.md").contains(line);
    }

    @Test
    void theBenchmarkDerivesHeapCompilerAndCollectorFromTheDockerfileAndThePodsLimit() {
        List<String> options = ShippedJvm.options();
        assertThat(options).contains("-XX:MaxRAM=536870912", "-XX:+UseParallelGC", "-XX:+ExitOnOutOfMemoryError");
        assertThat(options).containsAll(ShippedJvm.split(ShippedJvm.dockerfileEnv(ShippedJvm.DOCKERFILE).get("JAVA_OPTS_APPEND")));
        assertThat(options.get(options.size() - 1)).as("JAVA_OPTS_APPEND comes last, as run-java.sh puts it")
                .isEqualTo("-Djava.util.logging.manager=org.jboss.logmanager.LogManager");
    }

    private static String dockerfileBaseImage() throws IOException {
        Matcher m = FROM.matcher(Files.readString(ShippedJvm.DOCKERFILE));
        assertThat(m.find()).as("a FROM line in the Dockerfile").isTrue();
        return m.group(1);
    }

    private static String jdkMajor(String image) {
        Matcher m = JDK_MAJOR.matcher(image);
        assertThat(m.find()).as("a JDK version in the image name %s", image).isTrue();
        return m.group(1);
    }
}

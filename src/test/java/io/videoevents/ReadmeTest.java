package io.videoevents;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * README.md is a newcomer's one screen to a first event: short, the two commands near its top, every link
 * pointing at a page that exists, and CI running the test command it gives.
 */
class ReadmeTest {

    private static final Path README = Path.of("README.md");
    private static final String RUN = "./mvnw quarkus:dev";
    private static final String TEST = "./mvnw verify";
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)#]+)(#[^)]*)?\\)");

    @Test
    void isUnderTenThousandCharacters() throws IOException {
        assertThat(Files.readString(README).length()).isLessThan(10_000);
    }

    @Test
    void givesTheTwoCommandsInItsFirstFortyLines() throws IOException {
        List<String> top = Files.readAllLines(README).stream().limit(40).toList();
        assertThat(top).anyMatch(line -> line.contains(RUN));
        assertThat(top).anyMatch(line -> line.contains(TEST));
    }

    @Test
    void linksOnlyToPagesThatExist() throws IOException {
        Matcher links = LINK.matcher(Files.readString(README));
        int found = 0;
        while (links.find()) {
            String target = links.group(1);
            if (!target.startsWith("http")) {
                assertThat(Path.of(target)).as("README links to %s", target).exists();
                found++;
            }
        }
        assertThat(found).isPositive();
    }

    @Test
    void ciRunsTheTestCommand() throws IOException {
        assertThat(Files.readString(Path.of(".ci", "run"))).contains(TEST.replace("./mvnw", "./mvnw -B"));
    }
}

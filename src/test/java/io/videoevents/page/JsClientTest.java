package io.videoevents.page;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * Runs the browser client's unit tests (src/test/js, Node's built-in test runner) as part of the build.
 * The client's behaviour against the real service is the page test's job (LivePageBrowserTest).
 */
class JsClientTest {

    @Test
    void theBrowserClientsRulesHold() throws IOException, InterruptedException {
        Process node;
        try {
            node = new ProcessBuilder("node", "--test", "src/test/js/").redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError("Node.js is needed for the browser client's tests (`node` on the PATH)", e);
        }
        String output;
        try (var out = node.getInputStream()) {
            output = new String(out.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(node.waitFor(60, TimeUnit.SECONDS)).as("node --test finished").isTrue();
        System.out.println(output);
        assertThat(node.exitValue()).as("node --test src/test/js/:%n%s", output).isZero();
        assertThat(output).contains("# fail 0").doesNotContain("# pass 0");
    }
}

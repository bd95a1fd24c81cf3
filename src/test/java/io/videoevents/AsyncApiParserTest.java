package io.videoevents;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * docs/asyncapi.yaml passes the official AsyncAPI parser (the one AsyncAPI's own tools build on) with no error and no
 * warning, so that generators and viewers take it as it is. The parser comes from npm, at the version named here, into
 * target/ on first use; it runs on the machine's Node.js, as the browser client's tests do.
 */
class AsyncApiParserTest {

    static final String PARSER = "@asyncapi/parser@3.6.6";
    static final Path HOME = Path.of("target", "asyncapi-parser");

    @Test
    void theOfficialParserFindsNoErrorAndNoWarning() throws IOException, InterruptedException {
        if (!Files.isDirectory(HOME.resolve("node_modules/@asyncapi/parser"))) {
            Files.createDirectories(HOME);
            Files.writeString(HOME.resolve("package.json"), "{\"private\": true, \"type\": \"module\"}");
            run(List.of("npm", "install", "--no-audit", "--no-fund", "--silent", PARSER), HOME);
        }
        Files.copy(Path.of("src/test/asyncapi/parse.mjs"), HOME.resolve("parse.mjs"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        List<String> lines = run(List.of("node", "parse.mjs", Path.of("docs/asyncapi.yaml").toAbsolutePath().toString()), HOME);
        assertThat(lines).as("the parser's output").endsWith("parsed");
        // information (2) and hints (3) are advice, such as a newer AsyncAPI version being out
        assertThat(lines).filteredOn(line -> line.startsWith("0 ") || line.startsWith("1 ")).as("errors and warnings").isEmpty();
    }

    private static List<String> run(List<String> command, Path directory) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(5, TimeUnit.MINUTES)).as("%s ends", command).isTrue();
        assertThat(process.exitValue()).as("%s: %s", command, out).isZero();
        return out.lines().toList();
    }
}

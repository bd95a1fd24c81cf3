package io.videoevents.support;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Prometheus' promtool, from Debian's prometheus package: the build installs it when /usr/bin/promtool is missing
 * (src/test/scripts/install-prometheus.sh). A test that needs it fails without it rather than passing unchecked.
 */
public final class Promtool {

    private Promtool() {
    }

    /** Runs promtool with these arguments; fails with everything it printed unless it exits with 0. */
    public static String run(String... arguments) {
        List<String> command = new ArrayList<>();
        command.add(executable());
        command.addAll(List.of(arguments));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(2, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not end within 2 minutes");
            }
            if (process.exitValue() != 0) {
                throw new AssertionError(String.join(" ", command) + " exited with " + process.exitValue() + ":\n" + output);
            }
            return output;
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static String executable() {
        if (new File("/usr/bin/promtool").canExecute()) {
            return "/usr/bin/promtool";
        }
        for (String directory : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            File candidate = new File(directory, "promtool");
            if (candidate.canExecute()) {
                return candidate.getPath();
            }
        }
        throw new AssertionError("promtool is not installed: on Debian, apt-get install prometheus"
                + " (./mvnw verify does it when /usr/bin/promtool is missing: src/test/scripts/install-prometheus.sh)");
    }
}

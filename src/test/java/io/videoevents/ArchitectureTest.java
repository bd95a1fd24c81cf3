package io.videoevents;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.Architectures.LayeredArchitecture;

/**
 * The dependency rule of docs/architecture.md on the compiled production classes: each package imports only
 * the ones above it in the architecture table. The log's records ({@code video}) know no other package, the
 * relay tier ({@code relay}) knows only the settings, the sources of events ({@code notify}) know nothing of
 * sockets, the single-video rules ({@code subscription}) know neither the feed nor the socket transport, the feed
 * ({@code feed}) knows the single-video layer but not the transport, the sockets know nothing of how tokens are
 * checked, and nothing but start-up and health depends on {@code ops}. Beside the imports: no production class over 350 lines without a "Why one class:" paragraph in
 * its javadoc, and no package over a third of the production lines.
 */
class ArchitectureTest {

    private static final JavaClasses PRODUCTION = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.videoevents");

    /** The packages as layers; the settings are the classes of {@code io.videoevents} itself. */
    static LayeredArchitecture layers() {
        return layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("settings").definedBy("io.videoevents")
                .layer("video").definedBy("io.videoevents.video..")
                .layer("relay").definedBy("io.videoevents.relay..")
                .layer("notify").definedBy("io.videoevents.notify..")
                .layer("subscription").definedBy("io.videoevents.subscription..")
                .layer("feed").definedBy("io.videoevents.feed..")
                .layer("socket").definedBy("io.videoevents.socket..")
                .layer("security").definedBy("io.videoevents.security..")
                .layer("ops").definedBy("io.videoevents.ops..")
                .whereLayer("settings").mayNotAccessAnyLayer()
                .whereLayer("video").mayOnlyAccessLayers("settings")
                .whereLayer("relay").mayOnlyAccessLayers("settings")
                .whereLayer("notify").mayOnlyAccessLayers("settings", "video", "relay")
                .whereLayer("subscription").mayOnlyAccessLayers("settings", "video", "notify")
                .whereLayer("feed").mayOnlyAccessLayers("settings", "video", "subscription")
                .whereLayer("socket").mayOnlyAccessLayers("settings", "video", "subscription", "feed")
                .whereLayer("security").mayOnlyAccessLayers("settings", "video", "subscription")
                .whereLayer("ops").mayNotBeAccessedByAnyLayer();
    }

    @Test
    void importsPointOnlyUpTheArchitectureTable() {
        layers().check(PRODUCTION);
    }

    @Test
    void theRuleSeesTheWholeService() {
        // a rule over an empty import would pass whatever the code does
        org.assertj.core.api.Assertions.assertThat(PRODUCTION.stream().map(c -> c.getPackageName()).distinct())
                .contains("io.videoevents", "io.videoevents.video", "io.videoevents.relay", "io.videoevents.notify",
                        "io.videoevents.subscription", "io.videoevents.feed", "io.videoevents.socket",
                        "io.videoevents.security", "io.videoevents.ops");
    }

    /** A class this long says at its top why it is one class; the marker a reader and this test look for. */
    static final int MAX_LINES = 350;
    static final String WHY_ONE_CLASS = "Why one class:";

    /** Packages still over a third of the lines, each with why; the list only shrinks. */
    static final Map<String, String> OVER_A_THIRD = Map.of();

    static Map<Path, List<String>> sources() throws IOException {
        Map<Path, List<String>> sources = new TreeMap<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".java"))::iterator) {
                sources.put(file, Files.readAllLines(file));
            }
        }
        return sources;
    }

    private static final Path SOURCES = Path.of("src/main/java");

    @Test
    void aLongClassSaysWhyItIsOne() throws IOException {
        List<String> unexplained = new ArrayList<>();
        sources().forEach((file, lines) -> {
            int declaration = 0;
            while (declaration < lines.size()
                    && !lines.get(declaration).matches("^(public |final |abstract |sealed )*(class|record|interface|enum) .*")) {
                declaration++;
            }
            boolean explained = lines.subList(0, declaration).stream().anyMatch(l -> l.contains(WHY_ONE_CLASS));
            if (lines.size() > MAX_LINES && !explained) {
                unexplained.add(SOURCES.relativize(file) + " (" + lines.size() + " lines)");
            }
        });
        org.assertj.core.api.Assertions.assertThat(unexplained)
                .as("classes over %d lines without \"%s\" in their javadoc", MAX_LINES, WHY_ONE_CLASS).isEmpty();
    }

    @Test
    void noPackageHoldsMoreThanAThirdOfTheLines() throws IOException {
        Map<String, Integer> perPackage = new TreeMap<>();
        int total = 0;
        for (Map.Entry<Path, List<String>> source : sources().entrySet()) {
            String pkg = SOURCES.relativize(source.getKey().getParent()).toString().replace('/', '.');
            perPackage.merge(pkg, source.getValue().size(), Integer::sum);
            total += source.getValue().size();
        }
        int lines = total;
        org.assertj.core.api.Assertions.assertThat(lines).isGreaterThan(1000);
        List<String> over = new ArrayList<>();
        for (Map.Entry<String, Integer> pkg : perPackage.entrySet()) {
            if (pkg.getValue() * 3 > total && !OVER_A_THIRD.containsKey(pkg.getKey())) {
                over.add(pkg.getKey() + " " + pkg.getValue() + " of " + total);
            }
        }
        org.assertj.core.api.Assertions.assertThat(over).as("packages over a third of src/main/java").isEmpty();
        // a package let off that has since come under a third leaves the list
        org.assertj.core.api.Assertions.assertThat(OVER_A_THIRD.keySet())
                .allMatch(pkg -> perPackage.getOrDefault(pkg, 0) * 3 > lines);
    }
}

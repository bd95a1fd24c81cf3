package io.videoevents;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.Architectures.LayeredArchitecture;

/**
 * The dependency rule of docs/architecture.md on the compiled production classes: each package imports only
 * the ones above it in the architecture table. The log's records ({@code video}) know no other package, the
 * sources of events ({@code notify}) know nothing of sockets, the sockets know nothing of how tokens are
 * checked, and nothing but start-up and health depends on {@code ops}.
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
                .layer("notify").definedBy("io.videoevents.notify..")
                .layer("socket").definedBy("io.videoevents.socket..")
                .layer("security").definedBy("io.videoevents.security..")
                .layer("ops").definedBy("io.videoevents.ops..")
                .whereLayer("settings").mayNotAccessAnyLayer()
                .whereLayer("video").mayOnlyAccessLayers("settings")
                .whereLayer("notify").mayOnlyAccessLayers("settings", "video")
                .whereLayer("socket").mayOnlyAccessLayers("settings", "video", "notify")
                .whereLayer("security").mayOnlyAccessLayers("settings", "video", "socket")
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
                .contains("io.videoevents", "io.videoevents.video", "io.videoevents.notify", "io.videoevents.socket",
                        "io.videoevents.security", "io.videoevents.ops");
    }
}

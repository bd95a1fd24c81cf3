package io.videoevents;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static org.assertj.core.api.Assertions.assertThat;

import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The records that go over the wire as JSON (socket messages, REST bodies, problems) are read and written by
 * Jackson through reflection. On the JVM that always works; in the native executable only the classes registered
 * for reflection have their accessors and constructors, so a record left out serialises as {@code {}} or fails,
 * and only `./mvnw verify -Dnative` would notice, many minutes later. This test notices on the JVM: a record that
 * carries a Jackson or OpenAPI annotation, which is how this code marks a wire record, is registered.
 */
class NativeRegistrationTest {

    private static final JavaClasses PRODUCTION = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.videoevents");

    static final ArchRule WIRE_RECORDS_ARE_REGISTERED = classes()
            .that().areAnnotatedWith(JsonPropertyOrder.class)
            .or().areAnnotatedWith(JsonInclude.class)
            .or().areAnnotatedWith(Schema.class)
            .should().beAnnotatedWith(RegisterForReflection.class)
            .because("the native executable serialises them by reflection (docs/native.md)");

    @Test
    void everyWireRecordIsRegisteredForReflection() {
        WIRE_RECORDS_ARE_REGISTERED.check(PRODUCTION);
    }

    @Test
    void theRuleSeesTheWireRecords() {
        // the socket messages, the REST bodies and the problem: a rule that matched nothing would pass whatever
        long wireRecords = PRODUCTION.stream()
                .filter(c -> c.isAnnotatedWith(JsonPropertyOrder.class) || c.isAnnotatedWith(JsonInclude.class)
                        || c.isAnnotatedWith(Schema.class))
                .count();
        assertThat(wireRecords).isGreaterThanOrEqualTo(15);
    }
}

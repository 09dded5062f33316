package io.osapi.adapter.otel;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** {@link OtelJobMetrics} stays on the OpenTelemetry API: no SDK, no exporter class. */
class ArchitectureTest {

  private static final JavaClasses MAIN =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.osapi.adapter.otel");

  @Test
  void jobMetricsUsesOnlyTheOpenTelemetryApi() {
    classes()
        .that()
        .haveNameMatching("io\\.osapi\\.adapter\\.otel\\.OtelJobMetrics(\\$.*)?")
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage(
            "java..",
            "io.opentelemetry.api..",
            "io.opentelemetry.context..",
            "io.osapi.core..",
            "io.osapi.adapter.otel")
        .check(MAIN);
  }

  @Test
  void theScrapeResultCarriesNoOpenTelemetryType() {
    classes()
        .that()
        .haveSimpleName("ScrapeResult")
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage("java..", "io.osapi.adapter.otel")
        .check(MAIN);
  }
}

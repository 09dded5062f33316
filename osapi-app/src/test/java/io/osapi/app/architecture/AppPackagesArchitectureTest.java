package io.osapi.app.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * Package rules inside the app: the layers point one way. The cross-module rules (Dagger only in
 * the wiring, NATS and OTel only in their adapters, ...) are in {@code
 * io.osapi.app.architecture.ProjectArchitectureTest}.
 */
@AnalyzeClasses(packages = "io.osapi.app", importOptions = ImportOption.DoNotIncludeTests.class)
class AppPackagesArchitectureTest {
  @ArchTest
  static final ArchRule configDependsOnNoOtherAppPackage =
      noClasses()
          .that().resideInAPackage("io.osapi.app.config..")
          .should().dependOnClassesThat().resideInAnyPackage(
              "io.osapi.app.api..", "io.osapi.app.cli..", "io.osapi.app.client..",
              "io.osapi.app.runtime..", "io.osapi.app.wiring..", "io.osapi.app.http..");

  @ArchTest
  static final ArchRule apiDoesNotKnowTheCliOrTheWiring =
      noClasses()
          .that().resideInAnyPackage("io.osapi.app.api..", "io.osapi.app.client..",
              "io.osapi.app.runtime..")
          .should().dependOnClassesThat().resideInAnyPackage(
              "io.osapi.app.cli..", "io.osapi.app.wiring..");

  @ArchTest
  static final ArchRule onlyTheWiringAndMainKnowTheAdapters =
      noClasses()
          .that().resideInAnyPackage("io.osapi.app.api..", "io.osapi.app.client..")
          .should().dependOnClassesThat().resideInAnyPackage(
              "io.osapi.adapter..", "io.opentelemetry..", "io.nats..");

  @ArchTest
  static final ArchRule cliDoesNotReachIntoTheWiring =
      noClasses()
          .that().resideInAPackage("io.osapi.app.cli..")
          .should().dependOnClassesThat().resideInAPackage("io.osapi.app.wiring..")
          .because("the CLI gets its ProcessLauncher from Main");
}

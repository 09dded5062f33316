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

  /**
   * Every app package but the wiring (and {@code Main}, in the root package). Two classes are let
   * through, both about the NATS settings: the CLI's {@code NatsOptions} fills the adapter's
   * {@code NatsSettings} builder, which validates every value (so a bad option is refused at
   * parse time, naming it), and {@code ProcessSettings} carries the result to the wiring; an
   * app-side copy of its forty-odd fields would be a second place to keep in step.
   */
  @ArchTest
  static final ArchRule onlyTheWiringAndMainKnowTheAdapters =
      noClasses()
          .that().resideInAPackage("io.osapi.app..")
          .and().resideOutsideOfPackages("io.osapi.app", "io.osapi.app.wiring..")
          .and().doNotHaveFullyQualifiedName("io.osapi.app.cli.NatsOptions")
          .and().doNotHaveFullyQualifiedName("io.osapi.app.config.ProcessSettings")
          .should().dependOnClassesThat().resideInAnyPackage(
              "io.osapi.adapter..", "io.opentelemetry..", "io.nats..");

  @ArchTest
  static final ArchRule cliDoesNotReachIntoTheWiring =
      noClasses()
          .that().resideInAPackage("io.osapi.app.cli..")
          .should().dependOnClassesThat().resideInAPackage("io.osapi.app.wiring..")
          .because("the CLI gets its ProcessLauncher from Main");
}

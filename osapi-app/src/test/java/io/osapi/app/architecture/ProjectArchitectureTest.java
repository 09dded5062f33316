package io.osapi.app.architecture;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import io.osapi.core.architecture.CoreRules;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The layering of the whole project, checked on the production classes of every module; each rule
 * also runs on a violating fixture ({@code fixtures.arch.project}) to prove it can fail.
 */
class ProjectArchitectureTest {
  private static final String ROOT = "io.osapi";
  private static final String FIXTURES = "fixtures.arch.project";
  /** Production classes of every module: target/classes or the modules' main jars. */
  private static final JavaClasses PROJECT = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .withImportOption(location -> !location.contains("-tests.jar")
          && !location.contains("/test-classes/"))
      .importPackages(ROOT);
  private static final JavaClasses BAD = new ClassFileImporter().importPackages(FIXTURES);

  static List<Function<String, ArchRule>> rules() {
    return List.of(
        ProjectRules::natsOnlyInTheNatsAdapter,
        ProjectRules::otelOnlyInTheOtelAdapter,
        ProjectRules::prometheusOnlyInTheOtelAdapterAndTheMetricsServer,
        ProjectRules::jobMetricsImplementationUsesTheApiOnly,
        ProjectRules::injectionOnlyInTheWiring,
        ProjectRules::noFieldInjection,
        ProjectRules::coreKnowsNoAdapter,
        ProjectRules::coreInternalsStayInTheCore,
        ProjectRules::adaptersSeeOnlyThePortsOfTheCore,
        ProjectRules::adaptersDoNotKnowTheApp,
        ProjectRules::natsAdapterDoesNotKnowOtel,
        ProjectRules::otelAdapterDoesNotKnowNats,
        ProjectRules::noPackageCycles,
        root -> CoreRules.portsAreInterfaces(root + ".core"));
  }

  @org.junit.jupiter.api.Test
  void everyModuleIsImported() {
    for (String pkg : List.of("io.osapi.core.service", "io.osapi.adapter.nats",
        "io.osapi.adapter.otel", "io.osapi.app.wiring")) {
      org.assertj.core.api.Assertions.assertThat(
              PROJECT.stream().anyMatch(c -> c.getPackageName().equals(pkg)))
          .as("classes of %s imported", pkg).isTrue();
    }
  }

  @ParameterizedTest
  @MethodSource("rules")
  void theProjectKeepsTheRule(Function<String, ArchRule> rule) {
    rule.apply(ROOT).check(PROJECT);
  }

  @ParameterizedTest
  @MethodSource("rules")
  void theRuleCatchesItsViolation(Function<String, ArchRule> rule) {
    assertThatThrownBy(() -> rule.apply(FIXTURES).check(BAD)).isInstanceOf(AssertionError.class);
  }
}

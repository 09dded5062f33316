package io.osapi.core.architecture;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class CoreArchitectureTest {
  private static final String ROOT = "io.osapi.core";
  private static final String FIXTURES = "fixtures.arch.core";
  private static final JavaClasses CORE = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages(ROOT);
  private static final JavaClasses BAD = new ClassFileImporter().importPackages(FIXTURES);

  static List<Function<String, ArchRule>> rules() {
    return List.of(CoreRules::coreUsesOnlyTheJdk, CoreRules::domainIsPure,
        CoreRules::internalsUseOnlyTheJdk,
        CoreRules::portsUseOnlyTheDomain, CoreRules::servicesUsePortsAndDomain,
        CoreRules::portsAreInterfaces, CoreRules::noCycles);
  }

  @ParameterizedTest
  @MethodSource("rules")
  void theCoreKeepsTheRule(Function<String, ArchRule> rule) {
    rule.apply(ROOT).check(CORE);
  }

  @ParameterizedTest
  @MethodSource("rules")
  void theRuleCatchesItsViolation(Function<String, ArchRule> rule) {
    assertThatThrownBy(() -> rule.apply(FIXTURES).check(BAD)).isInstanceOf(AssertionError.class);
  }
}

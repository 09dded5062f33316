package io.osapi.core.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.lang.ArchRule;

/**
 * The layering rules of osapi-core, built for a root package so that the same rules run on the
 * real code and on small violating fixtures (which prove each rule can fail).
 */
public final class CoreRules {
  private CoreRules() {}

  /** The core depends on the JDK and itself only. */
  public static ArchRule coreUsesOnlyTheJdk(String root) {
    return classes().that().resideInAPackage(root + "..")
        .should().onlyDependOnClassesThat().resideInAnyPackage("java..", root + "..")
        .as("the core depends on nothing outside the JDK");
  }

  /** The domain depends on nothing else in the project but the core's internals. */
  public static ArchRule domainIsPure(String root) {
    return classes().that().resideInAPackage(root + ".domain..")
        .should().onlyDependOnClassesThat()
        .resideInAnyPackage("java..", root + ".domain..", root + ".internal..")
        .as("the domain depends on nothing else in osapi but the core's internals");
  }

  /** The core's internals (not API) depend on the JDK only, so any package may use them. */
  public static ArchRule internalsUseOnlyTheJdk(String root) {
    return classes().that().resideInAPackage(root + ".internal..")
        .should().onlyDependOnClassesThat().resideInAnyPackage("java..", root + ".internal..")
        .as("the core's internals depend on the JDK only");
  }

  /** Ports depend on the domain (and the audit port, which the broker hands out) only. */
  public static ArchRule portsUseOnlyTheDomain(String root) {
    return classes().that().resideInAPackage(root + ".port..")
        .should().onlyDependOnClassesThat()
        .resideInAnyPackage("java..", root + ".domain..", root + ".port..", root + ".audit..")
        .as("ports depend on the domain and the audit port only");
  }

  /** Services depend on ports, the domain and the concurrency blocks only. */
  public static ArchRule servicesUsePortsAndDomain(String root) {
    return classes().that().resideInAPackage(root + ".service..")
        .should().onlyDependOnClassesThat()
        .resideInAnyPackage("java..", root + ".domain..", root + ".port..", root + ".service..",
            root + ".internal..", root + ".concurrent..")
        .as("services depend on ports, the domain and the concurrency blocks only");
  }

  /** Ports are interfaces. */
  public static ArchRule portsAreInterfaces(String root) {
    return classes().that().resideInAPackage(root + ".port..").and().areTopLevelClasses()
        .and().areNotAnnotatedWith(Deprecated.class).and().doNotHaveSimpleName("package-info")
        .should().beInterfaces()
        .as("ports are interfaces");
  }

  /** No cycles between the core's packages. */
  public static ArchRule noCycles(String root) {
    return slices().matching(root + ".(*)..").should().beFreeOfCycles()
        .as("no package cycles");
  }
}

package io.osapi.app.architecture;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noFields;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.lang.ArchRule;

/**
 * The cross-module layering rules, built for a root package ({@code io.osapi} for the real code, a
 * fixture root for the violating fixtures that prove each rule can fail).
 */
final class ProjectRules {
  private ProjectRules() {}

  static ArchRule natsOnlyInTheNatsAdapter(String root) {
    return noClasses().that().resideInAPackage(root + "..")
        .and().resideOutsideOfPackage(root + ".adapter.nats..")
        .should().dependOnClassesThat().resideInAPackage("io.nats..")
        .as("io.nats is used in the NATS adapter only");
  }

  static ArchRule otelOnlyInTheOtelAdapter(String root) {
    return noClasses().that().resideInAPackage(root + "..")
        .and().resideOutsideOfPackage(root + ".adapter.otel..")
        .should().dependOnClassesThat().resideInAnyPackage("io.opentelemetry..")
        .as("OpenTelemetry is used in the OTel adapter only");
  }

  static ArchRule prometheusOnlyInTheOtelAdapterAndTheMetricsServer(String root) {
    return noClasses().that().resideInAPackage(root + "..")
        .and().resideOutsideOfPackages(
            root + ".adapter.otel..", root + ".app.http..", root + ".app.wiring..")
        .should().dependOnClassesThat().resideInAnyPackage("io.prometheus..")
        .as("Prometheus client_java is used in the OTel adapter (its registry) and the metrics"
            + " server (its scrape handler) only");
  }

  static ArchRule jobMetricsImplementationUsesTheApiOnly(String root) {
    return classes().that().resideInAPackage(root + ".adapter.otel..")
        .and().haveSimpleName("OtelJobMetrics")
        .should().onlyDependOnClassesThat()
        .resideOutsideOfPackages("io.opentelemetry.sdk..", "io.opentelemetry.exporter..",
            "io.prometheus..")
        .as("OtelJobMetrics uses the OpenTelemetry API only (the SDK stays in the backend)");
  }

  static ArchRule injectionOnlyInTheWiring(String root) {
    return noClasses().that().resideInAPackage(root + "..")
        .and().resideOutsideOfPackage(root + ".app.wiring..")
        .should().dependOnClassesThat()
        .resideInAnyPackage("dagger..", "javax.inject..", "jakarta.inject..")
        .as("Dagger and javax/jakarta.inject are used in the app's wiring only");
  }

  static ArchRule noFieldInjection(String root) {
    return noFields().that().areDeclaredInClassesThat().resideInAPackage(root + "..")
        .should().beAnnotatedWith("javax.inject.Inject")
        .orShould().beAnnotatedWith("jakarta.inject.Inject")
        .as("no field injection");
  }

  static ArchRule coreKnowsNoAdapter(String root) {
    return noClasses().that().resideInAPackage(root + ".core..")
        .should().dependOnClassesThat().resideInAnyPackage(root + ".adapter..", root + ".app..")
        .as("the core knows no adapter and no app");
  }

  static ArchRule coreInternalsStayInTheCore(String root) {
    return noClasses().that().resideOutsideOfPackage(root + ".core..")
        .should().dependOnClassesThat().resideInAPackage(root + ".core.internal..")
        .as("the core's internals (not API) are used by the core only");
  }

  static ArchRule adaptersSeeOnlyThePortsOfTheCore(String root) {
    return noClasses().that().resideInAPackage(root + ".adapter..")
        .should().dependOnClassesThat(resideInAPackage(root + ".core..")
            .and(not(resideInAnyPackage(root + ".core.port..", root + ".core.domain..",
                root + ".core.concurrent..", root + ".core.audit..", root + ".core.schedule.."))))
        .as("adapters see the core's ports, domain, audit records, schedules and concurrency"
            + " blocks only"
            + " (not its services, embedded broker or internals)");
  }

  static ArchRule adaptersDoNotKnowTheApp(String root) {
    return noClasses().that().resideInAPackage(root + ".adapter..")
        .should().dependOnClassesThat().resideInAPackage(root + ".app..")
        .as("adapters do not know the app");
  }

  static ArchRule natsAdapterDoesNotKnowOtel(String root) {
    return noClasses().that().resideInAPackage(root + ".adapter.nats..")
        .should().dependOnClassesThat().resideInAPackage(root + ".adapter.otel..")
        .as("the NATS adapter does not know the OTel adapter");
  }

  static ArchRule otelAdapterDoesNotKnowNats(String root) {
    return noClasses().that().resideInAPackage(root + ".adapter.otel..")
        .should().dependOnClassesThat().resideInAPackage(root + ".adapter.nats..")
        .as("the OTel adapter does not know the NATS adapter");
  }

  static ArchRule noPackageCycles(String root) {
    return slices().matching(root + ".(**)").should().beFreeOfCycles().as("no package cycles");
  }
}

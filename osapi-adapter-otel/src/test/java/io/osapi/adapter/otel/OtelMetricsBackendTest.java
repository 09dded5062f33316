package io.osapi.adapter.otel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.ObservableDoubleGauge;
import io.opentelemetry.api.metrics.ObservableLongGauge;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link OtelMetricsBackend}: fault isolation, JVM metrics, negotiation, switches, lifecycle. */
@Timeout(30)
class OtelMetricsBackendTest {

  private static OtelMetricsConfig.Builder noRuntime() {
    return OtelMetricsConfig.builder().runtimeMetricsEnabled(false);
  }

  @Test
  void aThrowingCallbackDoesNotEmptyTheScrape() {
    try (OtelMetricsBackend backend = new OtelMetricsBackend(noRuntime().build())) {
      OtelJobMetrics metrics = backend.jobMetrics(Set.of("op"));
      metrics.jobCreated("op");
      backend.healthMetrics().componentUp(true);
      Meter meter = backend.meterProvider().get("faulty");
      try (ObservableDoubleGauge bad =
              meter
                  .gaugeBuilder("test.faulty")
                  .setDescription("throws")
                  .buildWithCallback(
                      m -> {
                        throw new IllegalStateException("boom");
                      });
          ObservableLongGauge good =
              meter
                  .gaugeBuilder("test.healthy")
                  .ofLongs()
                  .setDescription("works")
                  .buildWithCallback(m -> m.record(42))) {
        ScrapeResult r = backend.scrape(null);
        assertThat(r.ok()).isTrue();
        Exposition e = Exposition.parse(r.bodyText());
        assertThat(e.names())
            .contains("osapi_jobs_created_total", "osapi_component_up", "test_healthy")
            .doesNotContain("test_faulty");
        assertThat(e.family("test_healthy").samples.get(0).value()).isEqualTo(42.0);
        assertThat(Promtool.checkMetrics(r.bodyText()).exitCode()).isZero();
      }
    }
  }

  @Test
  void aCollectionFailureComesBackAsAFailureNotAnException() {
    // same name, same labels, two scopes, no otel_scope labels: the reader's collect throws
    try (OtelMetricsBackend backend = new OtelMetricsBackend(noRuntime().build())) {
      backend.jobMetrics(Set.of("op"));
      backend.healthMetrics().componentUp(true);
      backend.meterProvider().get("a").counterBuilder("test.dup").build().add(1);
      backend.meterProvider().get("b").counterBuilder("test.dup").build().add(1);
      ScrapeResult r = backend.scrape(null);
      assertThat(r.ok()).isFalse();
      assertThat(r.error()).startsWith("metrics collection failed");
      assertThat(r.contentType()).isEqualTo(ScrapeResult.TEXT_PLAIN);
      assertThat(r.bodyText()).isEqualTo(r.error() + "\n");
    }
  }

  @Test
  void jvmRuntimeFamiliesAreExported() throws InterruptedException {
    try (OtelMetricsBackend backend = new OtelMetricsBackend(OtelMetricsConfig.defaults())) {
      backend.jobMetrics(Set.of("op"));
      backend.healthMetrics().componentUp(true);
      String text = scrapeAfterGc(backend);
      Exposition e = Exposition.parse(text);
      assertThat(e.names())
          .contains(
              "jvm_memory_used_bytes",
              "jvm_memory_committed_bytes",
              "jvm_thread_count",
              "jvm_class_count",
              "jvm_cpu_count",
              "jvm_cpu_time_seconds_total",
              "jvm_cpu_recent_utilization",
              "jvm_gc_duration_seconds",
              "osapi_component_up");
      assertThat(e.family("jvm_memory_used_bytes").labelValues("jvm_memory_type"))
          .contains("heap", "non_heap");
      assertThat(e.family("jvm_gc_duration_seconds").type).isEqualTo("histogram");
      assertThat(e.family("jvm_thread_count").type).isEqualTo("untyped");
      assertThat(e.duplicateTypeLines()).isEmpty();
      for (String name : e.names()) {
        assertThat(e.family(name).help).as("HELP of %s", name).isNotBlank();
      }

      // the whole exposition, JVM families included, passes promtool: the semconv gauges named
      // *_count are rendered untyped, which promtool's lint exempts
      assertThat(e.family("jvm_cpu_count").type).isEqualTo("untyped");
      Promtool.Result check = Promtool.checkMetrics(text);
      assertThat(check.exitCode()).as("promtool said:%n%s", check.output()).isZero();
    }
  }

  @Test
  void openMetricsKeepsTheCountGaugesAsUnknownNotBrokenFamilies() {
    try (OtelMetricsBackend backend = new OtelMetricsBackend(OtelMetricsConfig.defaults())) {
      backend.jobMetrics(Set.of("op"));
      backend.healthMetrics().componentUp(true);
      ScrapeResult r = backend.scrape("application/openmetrics-text; version=1.0.0");
      String text = new String(r.body(), java.nio.charset.StandardCharsets.UTF_8);
      assertThat(text).contains("# TYPE jvm_thread_count unknown").contains("# EOF");
    }
  }

  /** Scrapes until a GC has been reported (GC notifications arrive asynchronously). */
  private static String scrapeAfterGc(OtelMetricsBackend backend) {
    return Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
        .until(() -> {
          System.gc();
          ScrapeResult r = backend.scrape(null);
          assertThat(r.ok()).isTrue();
          return r.bodyText();
        }, t -> t.contains("# TYPE jvm_gc_duration_seconds histogram"));
  }

  @Test
  void targetInfoAndScopeLabelsAreOffByDefaultAndSwitchable() {
    try (OtelMetricsBackend off = new OtelMetricsBackend(noRuntime().build());
        OtelMetricsBackend on =
            new OtelMetricsBackend(
                noRuntime()
                    .serviceName("osapi-test")
                    .targetInfoEnabled(true)
                    .otelScopeLabelsEnabled(true)
                    .build())) {
      off.jobMetrics(Set.of());
      off.healthMetrics().componentUp(true);
      on.jobMetrics(Set.of());
      on.healthMetrics().componentUp(true);
      assertThat(off.scrape(null).bodyText())
          .doesNotContain("target_info")
          .doesNotContain("otel_scope_");
      String text = on.scrape(null).bodyText();
      assertThat(text).contains("target_info{").contains("service_name=\"osapi-test\"");
      assertThat(text).contains("osapi_component_up{otel_scope_name=\"io.osapi\"");
    }
  }

  @Test
  void contentNegotiation() {
    // negotiated by client_java's ExpositionFormats (the HTTP scrape handler uses the same)
    try (OtelMetricsBackend backend = new OtelMetricsBackend(noRuntime().build())) {
      backend.jobMetrics(Set.of());
      backend.healthMetrics().componentUp(true);
      assertThat(backend.scrape("*/*").contentType())
          .isEqualTo("text/plain; version=0.0.4; charset=utf-8");
      assertThat(backend.scrape("application/openmetrics-text").contentType())
          .isEqualTo("application/openmetrics-text; version=1.0.0; charset=utf-8");
      assertThat(backend.scrape("text/plain;q=0.5, application/openmetrics-text; version=1.0.0")
              .contentType())
          .isEqualTo("application/openmetrics-text; version=1.0.0; charset=utf-8");
      assertThat(backend.scrape(null).contentType())
          .isEqualTo("text/plain; version=0.0.4; charset=utf-8");
    }
  }

  @Test
  void jobMetricsIsCreatedOnce() {
    try (OtelMetricsBackend backend = new OtelMetricsBackend(noRuntime().build())) {
      OtelJobMetrics first = backend.jobMetrics(Set.of("a", "b"));
      assertThat(backend.jobMetrics(Set.of("b", "a"))).isSameAs(first);
      assertThatThrownBy(() -> backend.jobMetrics(Set.of("c")))
          .isInstanceOf(IllegalStateException.class);
      assertThat(first.operations()).containsExactlyInAnyOrder("a", "b");
    }
  }

  @Test
  void closeIsIdempotentAndLaterScrapesFail() {
    OtelMetricsBackend backend = new OtelMetricsBackend(OtelMetricsConfig.defaults());
    backend.jobMetrics(Set.of("op")).jobCreated("op");
    assertThat(backend.scrape(null).ok()).isTrue();
    backend.close();
    backend.close();
    ScrapeResult r = backend.scrape(null);
    assertThat(r.ok()).isFalse();
    assertThat(r.error()).isEqualTo("metrics backend is closed");
    assertThatThrownBy(() -> backend.jobMetrics(Set.of("op")))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void configIsValidated() {
    assertThatThrownBy(() -> OtelMetricsConfig.builder().durationBuckets(List.of()).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> OtelMetricsConfig.builder().durationBuckets(List.of(1.0, 0.5)).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                OtelMetricsConfig.builder()
                    .queueWaitBuckets(List.of(1.0, Double.POSITIVE_INFINITY))
                    .build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> OtelMetricsConfig.builder().cardinalityLimit(0).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> OtelMetricsConfig.Otlp.to(java.net.URI.create("ftp://collector/v1/metrics")))
        .isInstanceOf(IllegalArgumentException.class);
    OtelMetricsConfig c = OtelMetricsConfig.defaults();
    assertThat(c.toBuilder().build()).isEqualTo(c);
    assertThat(c.cardinalityLimit()).isEqualTo(2000);
    assertThat(c.targetInfoEnabled()).isFalse();
    assertThat(c.otelScopeLabelsEnabled()).isFalse();
    assertThat(c.durationBuckets().get(0)).isEqualTo(0.005);
    assertThat(c.durationBuckets().get(c.durationBuckets().size() - 1)).isEqualTo(600.0);
    assertThat(c.queueWaitBuckets().get(0)).isEqualTo(0.001);
    assertThat(c.queueWaitBuckets().get(c.queueWaitBuckets().size() - 1)).isEqualTo(1800.0);
  }

  @Test
  void everyFamilyHasHelp() {
    try (OtelMetricsBackend backend = new OtelMetricsBackend(OtelMetricsConfig.defaults())) {
      MetricsContractTest.recordKnownValues(
          backend, backend.jobMetrics(Set.of("node.hostname.get")));
      Exposition e = Exposition.parse(backend.scrape(null).bodyText());
      assertThat(
              e.names().stream()
                  .filter(n -> e.family(n).help == null || e.family(n).help.isBlank())
                  .collect(Collectors.toList()))
          .isEmpty();
    }
  }
}

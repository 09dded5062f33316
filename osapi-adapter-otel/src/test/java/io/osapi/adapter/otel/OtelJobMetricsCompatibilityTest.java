package io.osapi.adapter.otel;

import static org.assertj.core.api.Assertions.assertThat;

import io.osapi.core.contract.JobMetricsContract;
import io.osapi.core.port.JobMetrics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The core's compatibility kit, run against {@link OtelJobMetrics} and the other metrics ports of
 * {@link OtelMetricsBackend}: every figure is read back from
 * the literal Prometheus text of a real scrape.
 */
class OtelJobMetricsCompatibilityTest extends JobMetricsContract {
  private final Map<JobMetrics, OtelMetricsBackend> backends = new IdentityHashMap<>();

  @Override
  protected Ports newMetrics() {
    OtelMetricsBackend backend = new OtelMetricsBackend(
        OtelMetricsConfig.builder().runtimeMetricsEnabled(false).build());
    JobMetrics m = backend.jobMetrics(Set.of("diag.echo", "diag.fail"));
    backends.put(m, backend);
    return new Ports(m, backend.fleetMetrics(), backend.connectionMetrics(),
        backend.healthMetrics());
  }

  @AfterEach
  void closeBackends() {
    backends.values().forEach(OtelMetricsBackend::close);
  }

  @Override
  protected Readback read(Ports m) {
    ScrapeResult r = backends.get(m.jobs()).scrape(null);
    Exposition e = Exposition.parse(new String(r.body(), StandardCharsets.UTF_8));
    return new Readback() {
      @Override
      public double counter(String family, Map<String, String> labels) {
        return value(family, family, labels, 0.0);
      }

      @Override
      public Double gauge(String family, Map<String, String> labels) {
        double v = value(family, family, labels, Double.NaN);
        return Double.isNaN(v) ? null : v;
      }

      @Override
      public long histogramCount(String family, Map<String, String> labels) {
        return (long) value(family, family + "_count", labels, 0.0);
      }

      private double value(String family, String sample, Map<String, String> labels, double none) {
        if (!e.has(family)) {
          return none;
        }
        return e.family(family).samples(sample).stream()
            .filter(s -> s.labels().equals(labels))
            .mapToDouble(Exposition.Sample::value)
            .findFirst()
            .orElse(none);
      }
    };
  }
}

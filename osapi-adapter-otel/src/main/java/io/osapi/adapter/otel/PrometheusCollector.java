package io.osapi.adapter.otel;

import io.opentelemetry.exporter.prometheus.PrometheusMetricReader;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * The OpenTelemetry SDK's metrics as a Prometheus client_java {@link MultiCollector}: the {@link
 * PrometheusMetricReader}'s collection, one at a time, with the {@code _count} gauges rendered as
 * untyped ({@link #untypedCountGauges}). Registered in the backend's {@code PrometheusRegistry},
 * which client_java's scrape handler renders (format negotiation, gzip, {@code name[]=}).
 *
 * <p>A collection that fails throws (the scrape handler answers 500); the first failure is logged.
 * After the backend closed, every collection throws {@link IllegalStateException} "metrics backend
 * is closed".
 */
final class PrometheusCollector implements MultiCollector {
  private static final System.Logger LOG = System.getLogger(PrometheusCollector.class.getName());

  private final PrometheusMetricReader reader;
  private final BooleanSupplier closed;
  private final Object lock = new Object();
  private final AtomicBoolean errorLogged = new AtomicBoolean();

  PrometheusCollector(PrometheusMetricReader reader, BooleanSupplier closed) {
    this.reader = Objects.requireNonNull(reader, "reader");
    this.closed = Objects.requireNonNull(closed, "closed");
  }

  @Override
  public MetricSnapshots collect() {
    if (closed.getAsBoolean()) {
      throw new IllegalStateException("metrics backend is closed");
    }
    try {
      MetricSnapshots snapshots;
      synchronized (lock) {
        snapshots = reader.collect();
      }
      return untypedCountGauges(snapshots);
    } catch (RuntimeException | LinkageError | StackOverflowError e) {
      if (errorLogged.compareAndSet(false, true)) {
        LOG.log(System.Logger.Level.ERROR, "metrics scrape failed (logged once)", e);
      }
      throw e;
    }
  }

  /**
   * Renders gauges whose exposition name ends in {@code _count} (the semconv {@code
   * jvm_thread_count}, {@code jvm_class_count}, {@code jvm_cpu_count}) as untyped: promtool's lint
   * reserves {@code _count} for histograms and summaries and fails a gauge of that name, but exempts
   * untyped families. Names and values stay as the contract says; Prometheus treats untyped as a
   * gauge. client_java has no such option, so this stays here.
   */
  static MetricSnapshots untypedCountGauges(MetricSnapshots in) {
    boolean any = false;
    for (MetricSnapshot m : in) {
      if (m instanceof GaugeSnapshot && m.getMetadata().getPrometheusName().endsWith("_count")) {
        any = true;
        break;
      }
    }
    if (!any) {
      return in;
    }
    List<MetricSnapshot> out = new ArrayList<>(in.size());
    for (MetricSnapshot m : in) {
      if (m instanceof GaugeSnapshot g && m.getMetadata().getPrometheusName().endsWith("_count")) {
        List<UnknownSnapshot.UnknownDataPointSnapshot> points = new ArrayList<>();
        for (GaugeSnapshot.GaugeDataPointSnapshot p : g.getDataPoints()) {
          points.add(new UnknownSnapshot.UnknownDataPointSnapshot(
              p.getValue(), p.getLabels(), p.getExemplar()));
        }
        out.add(new UnknownSnapshot(g.getMetadata(), points));
      } else {
        out.add(m);
      }
    }
    return new MetricSnapshots(out);
  }
}

package io.osapi.app.wiring;

import dagger.Module;
import dagger.Provides;
import io.osapi.adapter.otel.OtelMetricsBackend;
import io.osapi.adapter.otel.OtelMetricsConfig;
import io.osapi.app.api.ApiFilters;
import io.osapi.app.api.ApiRoute;
import io.osapi.app.api.ApiTraces;
import io.osapi.app.config.MetricsSettings;
import io.osapi.app.runtime.MetricsShutdown;
import io.osapi.core.domain.OperationRegistry;
import io.osapi.core.port.AccessMetrics;
import io.osapi.core.port.ConnectionMetrics;
import io.osapi.core.port.FleetMetrics;
import io.osapi.core.port.HealthMetrics;
import io.osapi.core.port.JobMetrics;
import io.osapi.core.port.JobTracing;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;
import javax.inject.Singleton;

/**
 * Metrics on OpenTelemetry: one SDK per process ({@link OtelMetricsBackend}) with its Prometheus
 * scrape (bound as a client_java {@link PrometheusRegistry}), the optional OTLP push, the metrics
 * ports ({@link JobMetrics}, {@link FleetMetrics}, {@link ConnectionMetrics}, {@link
 * HealthMetrics}), the job spans ({@link JobTracing}, when tracing is configured) and the REST API's
 * HTTP server metrics and spans on it. No OpenTelemetry type is bound in the
 * graph.
 */
@Module
public interface OtelModule {
  /** The process's SDK. */
  @Provides
  @Singleton
  static OtelMetricsBackend backend(MetricsSettings settings) {
    OtelMetricsConfig.Builder b = OtelMetricsConfig.builder().serviceName(settings.serviceName());
    settings.otlpEndpoint().ifPresent(u -> b.otlp(OtelMetricsConfig.Otlp.to(u)));
    return new OtelMetricsBackend(b.build(), TracingConfigs.of(settings.tracing()));
  }

  /** The job spans on this backend (no-ops when it does not trace). */
  @Provides
  static JobTracing jobTracing(OtelMetricsBackend backend) {
    return backend.jobTracing();
  }

  /** Job metrics with the registered operations as {@code operation} label values. */
  @Provides
  static JobMetrics jobMetrics(OtelMetricsBackend backend, OperationRegistry operations) {
    return backend.jobMetrics(operations.types());
  }

  /** A controller's background views of the fleet, on this backend. */
  @Provides
  static FleetMetrics fleetMetrics(OtelMetricsBackend backend) {
    return backend.fleetMetrics();
  }

  /** The broker connection's state ({@code osapi_nats_*}), on this backend. */
  @Provides
  static ConnectionMetrics connectionMetrics(OtelMetricsBackend backend) {
    return backend.connectionMetrics();
  }

  /** Readiness ({@code osapi_component_up}, {@code osapi_subsystem_up}), on this backend. */
  @Provides
  static HealthMetrics healthMetrics(OtelMetricsBackend backend) {
    return backend.healthMetrics();
  }

  /** The API edge's refusals and audit counts, on this backend. */
  @Provides
  static AccessMetrics accessMetrics(OtelMetricsBackend backend) {
    return backend.accessMetrics();
  }

  /** The schedules' ticks ({@code osapi_schedule_fires_total}), on this backend. */
  @Provides
  static io.osapi.core.schedule.ScheduleMetrics scheduleMetrics(OtelMetricsBackend backend) {
    return backend.scheduleMetrics();
  }

  /** What {@code /metrics} renders: the SDK's metrics as a client_java registry. */
  @Provides
  static PrometheusRegistry prometheusRegistry(OtelMetricsBackend backend) {
    return backend.prometheusRegistry();
  }

  /**
   * The semconv HTTP server metrics of the REST API, on this backend's meter provider, and when it
   * traces a server span per request, handed to the handler through the exchange.
   */
  @Provides
  static ApiFilters apiFilters(OtelMetricsBackend backend) {
    return new ApiFilters(
        List.of(backend.httpServerFilter(ApiRoute::templateOf, ApiTraces::attach)));
  }

  /** Flushes and shuts the SDK down at stop. */
  @Provides
  static MetricsShutdown shutdown(OtelMetricsBackend backend) {
    return backend::close;
  }
}

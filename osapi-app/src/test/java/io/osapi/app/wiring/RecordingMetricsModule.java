package io.osapi.app.wiring;

import dagger.Binds;
import dagger.Module;
import dagger.Provides;
import io.osapi.app.api.ApiFilters;
import io.osapi.app.runtime.MetricsShutdown;
import io.osapi.core.port.AccessMetrics;
import io.osapi.core.port.ConnectionMetrics;
import io.osapi.core.testing.RecordingAccessMetrics;
import io.osapi.core.port.FleetMetrics;
import io.osapi.core.port.HealthMetrics;
import io.osapi.core.port.JobMetrics;
import io.osapi.core.testing.RecordingJobMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import javax.inject.Singleton;

/**
 * Test replacement of {@link OtelModule}: {@link JobMetrics} is a {@link RecordingJobMetrics} the
 * test can assert on; {@code /metrics} renders nothing and HTTP server metrics go nowhere.
 */
@Module
public interface RecordingMetricsModule {
  /** The one recorder of the component. */
  @Provides
  @Singleton
  static RecordingJobMetrics recording() {
    return new RecordingJobMetrics();
  }

  /** The recorder is the job metrics. */
  @Binds
  JobMetrics jobMetrics(RecordingJobMetrics recording);

  /** And the fleet views. */
  @Binds
  FleetMetrics fleetMetrics(RecordingJobMetrics recording);

  /** And the connection state. */
  @Binds
  ConnectionMetrics connectionMetrics(RecordingJobMetrics recording);

  /** And readiness. */
  @Binds
  HealthMetrics healthMetrics(RecordingJobMetrics recording);

  /** The edge's refusals and audit counts, recorded. */
  @Provides
  @Singleton
  static RecordingAccessMetrics accessRecording() {
    return new RecordingAccessMetrics();
  }

  /** The access recorder is the access metrics. */
  @Binds
  AccessMetrics accessMetrics(RecordingAccessMetrics recording);

  /** A registry with nothing in it: the metrics are recorded by {@link RecordingJobMetrics}. */
  @Provides
  static io.osapi.core.schedule.ScheduleMetrics scheduleMetrics() {
    return io.osapi.core.schedule.ScheduleMetrics.noop();
  }

  @Provides
  static PrometheusRegistry prometheusRegistry() {
    return new PrometheusRegistry();
  }

  /** The job spans, recorded. */
  @Provides
  @Singleton
  static io.osapi.core.testing.RecordingJobTracing tracingRecording() {
    return new io.osapi.core.testing.RecordingJobTracing();
  }

  /** The recorder is the job tracing. */
  @Binds
  io.osapi.core.port.JobTracing jobTracing(io.osapi.core.testing.RecordingJobTracing recording);

  /** No HTTP server metrics. */
  @Provides
  static ApiFilters apiFilters() {
    return ApiFilters.none();
  }

  /** Nothing to flush. */
  @Provides
  static MetricsShutdown shutdown() {
    return () -> {};
  }
}

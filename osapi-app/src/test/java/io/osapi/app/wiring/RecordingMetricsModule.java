package io.osapi.app.wiring;

import dagger.Binds;
import dagger.Module;
import dagger.Provides;
import io.osapi.adapter.otel.MetricsScraper;
import io.osapi.adapter.otel.ScrapeResult;
import io.osapi.app.api.ApiFilters;
import io.osapi.app.runtime.MetricsShutdown;
import io.osapi.core.port.JobMetrics;
import io.osapi.core.testing.RecordingJobMetrics;
import java.nio.charset.StandardCharsets;
import javax.inject.Singleton;

/**
 * Test replacement of {@link OtelModule}: {@link JobMetrics} is a {@link RecordingJobMetrics} the
 * test can assert on; {@code /metrics} renders a comment only and HTTP server metrics go nowhere.
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

  /** A scrape with nothing in it. */
  @Provides
  static MetricsScraper scraper() {
    return accept ->
        ScrapeResult.success(
            "text/plain; version=0.0.4; charset=utf-8",
            "# metrics are recorded by RecordingJobMetrics\n".getBytes(StandardCharsets.UTF_8));
  }

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

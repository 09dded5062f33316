package io.osapi.app.wiring;

import static org.assertj.core.api.Assertions.assertThat;

import io.osapi.core.domain.JobOutcome;
import io.osapi.core.testing.RecordingJobMetrics;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Supplier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The metrics adapter is swapped by one line of a component's module list: the same process,
 * the same requests, counted once by {@link RecordingJobMetrics} ({@link TestAppComponent}) and
 * once by the OpenTelemetry adapter, scraped from {@code /metrics} ({@link OtelTestAppComponent}).
 */
class MetricsSwapTest {
  private static final String JOB = "{\"operation\":{\"type\":\"diag.echo\",\"data\":{}}}";

  @Test
  void recordingMetricsSeeTheJob() throws Exception {
    try (TestApp app = TestApp.recording()) {
      RecordingJobMetrics m = app.component(TestAppComponent.class).metrics();
      assertThat(app.send("POST", "/api/v1/jobs", JOB).statusCode()).isEqualTo(201);
      assertThat(m.created("diag.echo")).isEqualTo(1);
      await(() -> m.finished(JobOutcome.COMPLETED, "diag.echo") == 1);
      assertThat(m.processedByWorker()).containsEntry(TestApp.WORKER_ID, 1L);
      assertThat(m.connectedWorkers()).containsEntry(TestApp.WORKER_ID, 4);
    }
  }

  @Test
  void otelMetricsShowTheJobInTheScrape() throws Exception {
    try (TestApp app = TestApp.otel()) {
      assertThat(app.send("POST", "/api/v1/jobs", JOB).statusCode()).isEqualTo(201);
      assertThat(app.send("POST", "/api/v1/jobs", "{\"operation\":{\"type\":\"no.such\"}}")
          .statusCode()).isEqualTo(400);
      Supplier<String> scrape = () -> {
        HttpResponse<String> r = app.get(app.metricsUri());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
      };
      await(() -> scrape.get().contains(
          "osapi_jobs_completed_total{operation=\"diag.echo\",status=\"completed\"} 1"));
      String text = scrape.get();
      assertThat(text)
          .contains("osapi_jobs_created_total{operation=\"diag.echo\"} 1")
          .contains("osapi_worker_jobs_processed_total{worker=\"" + TestApp.WORKER_ID + "\"} 1")
          .contains("osapi_job_duration_seconds_count{operation=\"diag.echo\",status=\"completed\"} 1")
          .contains("osapi_workers_connected 1")
          .contains("osapi_component_up 1")
          .contains("http_server_request_duration_seconds_count{http_request_method=\"POST\","
              + "http_response_status_code=\"201\",http_route=\"/api/v1/jobs\"")
          .contains("http_response_status_code=\"400\",http_route=\"/api/v1/jobs\"")
          .doesNotContain("no.such");
      // the refused request minted nothing: "other" series exist only as the zeros put in place
      // at start
      assertThat(text.lines().filter(l -> l.contains("operation=\"other\"")
              && !l.contains("_bucket{")))
          .allMatch(l -> l.endsWith(" 0") || l.endsWith(" 0.0"));
      await(() -> scrape.get().contains("osapi_worker_heartbeat_age_seconds{worker=\""
          + TestApp.WORKER_ID + "\"}"));
    }
  }

  private static void await(java.util.concurrent.Callable<Boolean> condition) {
    Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
        .until(condition);
  }
}

package io.osapi.app.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.osapi.app.wiring.SwitchableTestAppComponent;
import io.osapi.app.wiring.TestApp;
import io.osapi.core.testing.RecordingJobMetrics;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * A backend that is down at start (NATS not there yet): the process is not ready, job requests
 * get 503 and store nothing; when the backend appears the process becomes ready by itself and the
 * worker joins.
 */
class BackendReadinessComponentTest {
  @Test
  void notReadyAnd503UntilTheBackendAppears() throws Exception {
    try (TestApp app = TestApp.switchable()) {
      SwitchableTestAppComponent c = app.component(SwitchableTestAppComponent.class);
      RecordingJobMetrics metrics = c.metrics();
      URI ready = app.metricsUri().resolve("/health/ready");

      HttpResponse<String> r = app.get(ready);
      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(r.body()).contains("nats");
      assertThat(metrics.componentUp()).isFalse();
      assertThat(metrics.subsystems()).containsEntry("nats", false);

      HttpResponse<String> create =
          app.send("POST", "/api/v1/jobs", "{\"operation\":{\"type\":\"diag.echo\"}}");
      assertThat(create.statusCode()).isEqualTo(503);
      assertThat(create.headers().firstValue("Retry-After")).isPresent();
      assertThat(create.body()).contains("\"error\"");
      assertThat(app.send("GET", "/api/v1/jobs", null).statusCode()).isEqualTo(503);
      assertThat(metrics.createdTotal()).isZero();
      // bad input is still bad input? no: nothing is looked at while the backend is down
      assertThat(app.send("POST", "/api/v1/jobs", "{").statusCode()).isEqualTo(503);

      c.switchable().set(true);
      await(() -> app.get(ready).statusCode() == 200);
      assertThat(metrics.componentUp()).isTrue();
      assertThat(metrics.subsystems()).containsEntry("nats", true).containsEntry("worker", true);
      await(() -> app.send("GET", "/api/v1/workers", null).body().contains(TestApp.WORKER_ID));

      HttpResponse<String> ok =
          app.send("POST", "/api/v1/jobs", "{\"operation\":{\"type\":\"diag.echo\"}}");
      assertThat(ok.statusCode()).isEqualTo(201);
      assertThat(metrics.createdTotal()).isEqualTo(1);

      c.switchable().set(false);
      await(() -> app.get(ready).statusCode() == 503);
      assertThat(metrics.componentUp()).isFalse();
    }
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("condition not met within 10s");
      }
      Thread.sleep(50);
    }
  }
}

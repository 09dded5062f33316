package io.osapi.app.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.osapi.app.wiring.SwitchableTestAppComponent;
import io.osapi.app.wiring.TestApp;
import io.osapi.core.testing.RecordingJobMetrics;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.awaitility.Awaitility;
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

      // a create is held for the create patience (2 s here), then refused
      long t0 = System.nanoTime();
      HttpResponse<String> create =
          app.send("POST", "/api/v1/jobs", "{\"operation\":{\"type\":\"diag.echo\"}}");
      assertThat(create.statusCode()).isEqualTo(503);
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
      assertThat(create.headers().firstValue("Retry-After")).isPresent();
      assertThat(create.body()).contains("\"error\"");
      assertThat(app.send("GET", "/api/v1/jobs", null).statusCode()).isEqualTo(503);
      assertThat(metrics.createdTotal()).isZero();
      // a create's input is validated first: bad input is 400 even while the backend is down
      assertThat(app.send("POST", "/api/v1/jobs", "{").statusCode()).isEqualTo(400);

      // a create sent while the backend is down and held until it comes back is created
      java.util.concurrent.CompletableFuture<HttpResponse<String>> held =
          java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
              return app.send("POST", "/api/v1/jobs", "{\"operation\":{\"type\":\"diag.echo\"}}");
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          });
      // held, not answered, while the backend stays down
      Awaitility.await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
          .until(() -> !held.isDone());

      c.switchable().set(true);
      await(() -> app.get(ready).statusCode() == 200);
      assertThat(metrics.componentUp()).isTrue();
      assertThat(metrics.subsystems()).containsEntry("nats", true).containsEntry("worker", true);
      await(() -> app.send("GET", "/api/v1/workers", null).body().contains(TestApp.WORKER_ID));

      assertThat(held.get().statusCode()).isEqualTo(201);
      HttpResponse<String> ok =
          app.send("POST", "/api/v1/jobs", "{\"operation\":{\"type\":\"diag.echo\"}}");
      assertThat(ok.statusCode()).isEqualTo(201);
      assertThat(metrics.createdTotal()).isEqualTo(2);

      c.switchable().set(false);
      await(() -> app.get(ready).statusCode() == 503);
      assertThat(metrics.componentUp()).isFalse();
    }
  }

  private static void await(BooleanSupplier condition) {
    Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
        .until(condition::getAsBoolean);
  }
}

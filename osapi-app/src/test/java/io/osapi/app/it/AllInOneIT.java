package io.osapi.app.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The default run: {@code java -jar osapi-app.jar} with no flags (free ports through the
 * environment), a job submitted with the printed curl line's URL and body, seen completed and
 * counted in {@code /metrics}; SIGTERM ends it with exit code 0.
 */
class AllInOneIT {
  @TempDir Path dir;

  @Test
  void theDefaultRunServesTheCurlLine() {
    int apiPort = Ports.free();
    int metricsPort = Ports.free();
    try (OsProcess app = OsProcess.start("all-in-one", dir,
        Map.of("OSAPI_API_ADDR", "127.0.0.1:" + apiPort,
            "OSAPI_METRICS_ADDR", "127.0.0.1:" + metricsPort,
            "OSAPI_WORKER_ID", "aio-worker"),
        OsProcess.javaJar(OsProcess.jar()))) {
      String url = app.awaitStdout("curl -s -X POST (\\S+) ", Duration.ofSeconds(40));
      String body = app.awaitStdout("curl .* -d '(\\{.*\\})'", Duration.ofSeconds(5));
      assertThat(url).isEqualTo("http://127.0.0.1:" + apiPort + "/api/v1/jobs");
      assertThat(app.stdout()).contains("metrics:  http://127.0.0.1:" + metricsPort + "/metrics")
          .contains("embedded");

      HttpResponse<String> r = Http.send("POST", URI.create(url), body);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
      String id = Http.json(r).get("job_id").asText();
      app.await("the job to complete", Duration.ofSeconds(20),
          () -> Http.get(URI.create(url + "/" + id)).body().contains("\"status\":\"completed\""));
      assertThat(Http.get(URI.create(url + "/" + id)).body()).contains("aio-worker");

      URI metrics = URI.create("http://127.0.0.1:" + metricsPort + "/metrics");
      app.await("the job in /metrics", Duration.ofSeconds(10), () -> Scrape.sum(
          Http.get(metrics).body(), "osapi_jobs_completed_total",
          "operation=\"system.hostname.get\"", "status=\"completed\"") == 1);
      String text = Http.get(metrics).body();
      assertThat(Scrape.sum(text, "osapi_jobs_created_total",
          "operation=\"system.hostname.get\"")).isEqualTo(1);
      assertThat(Scrape.sum(text, "osapi_worker_jobs_processed_total",
          "worker=\"aio-worker\"")).isEqualTo(1);
      assertThat(Scrape.sum(text, "osapi_component_up")).isEqualTo(1);
      assertThat(text).doesNotContain("osapi_nats_connected 1");

      app.terminate();
      assertThat(app.awaitExit(Duration.ofSeconds(30))).as(app.report()).isZero();
      assertThat(app.stdout()).contains("stopped");
    }
  }

  @Test
  void aBadValueIsRefusedWithOneLineAndExitCode2() {
    try (OsProcess bad = OsProcess.start("bad-option", dir, Map.of("OSAPI_ACK_WAIT", "soon"),
        OsProcess.javaJar(OsProcess.jar(), "worker"))) {
      assertThat(bad.awaitExit(Duration.ofSeconds(30))).isEqualTo(2);
      assertThat(bad.stderr().lines().toList()).containsExactly(
          "osapi-app: invalid value for --ack-wait: 'soon' is not a duration: use a number with"
              + " ms, s, m, h or d (like 30s) (set by environment variable OSAPI_ACK_WAIT)");
      assertThat(bad.stdout()).isEmpty();
    }
  }
}

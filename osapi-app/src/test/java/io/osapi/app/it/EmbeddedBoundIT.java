package io.osapi.app.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded broker's size bound, on the real jar (all-in-one, its own JVM with {@code
 * -Xmx160m}, the heap with which ~2,400 jobs of 60 KiB used to exhaust it): jobs of 60 KiB are
 * created until the default byte bound (25% of the heap) answers 507 naming {@code
 * --embedded-max-bytes}; the process stays alive and {@code /health} and {@code /metrics} answer;
 * deleted jobs free their share; then small jobs reach {@code --embedded-max-jobs} (500 here) and
 * get 507 naming it. Figures go to stdout as {@code EMBEDDED key = value}.
 */
class EmbeddedBoundIT {
  private static final String BIG = "{\"operation\":{\"type\":\"diag.echo\",\"data\":{\"x\":\""
      + "a".repeat(60 * 1024 - 64) + "\"}}}";
  private static final String SMALL = "{\"operation\":{\"type\":\"diag.echo\"}}";

  @TempDir Path dir;

  @Test
  void fullStoreRefusesCreatesWith507AndStaysAlive() throws Exception {
    int apiPort = Ports.free();
    int metricsPort = Ports.free();
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx160m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar",
        OsProcess.jar().toString(), "--api-addr", "127.0.0.1:" + apiPort,
        "--metrics-addr", "127.0.0.1:" + metricsPort, "--worker-id", "bound-it",
        "--embedded-max-jobs", "500"));
    try (OsProcess app = OsProcess.start("all-in-one", dir, Map.of(), cmd)) {
      URI jobs = URI.create("http://127.0.0.1:" + apiPort + "/api/v1/jobs");
      URI health = URI.create("http://127.0.0.1:" + metricsPort + "/health");
      URI metrics = URI.create("http://127.0.0.1:" + metricsPort + "/metrics");
      app.await("ready", Duration.ofSeconds(60), () -> Http.status(
          URI.create("http://127.0.0.1:" + metricsPort + "/health/ready")) == 200);
      assertThat(app.stdout() + app.stderr()).contains("at most 500 jobs and about ");

      // 60 KiB jobs until the byte bound: well before the 2,400 that exhausted the heap
      List<String> big = new ArrayList<>();
      HttpResponse<String> refused = null;
      for (int i = 0; i < 2400 && refused == null; i++) {
        HttpResponse<String> r = Http.send("POST", jobs, BIG);
        if (r.statusCode() == 201) {
          big.add(Http.json(r).get("job_id").asText());
        } else {
          refused = r;
        }
      }
      assertThat(refused).as("a create refused before 2,400 jobs of 60 KiB").isNotNull();
      figure("big_jobs_accepted", big.size());
      assertThat(refused.statusCode()).as(refused.body()).isEqualTo(507);
      JsonNode err = Http.json(refused);
      assertThat(err.get("error").asText()).contains("embedded job store is full")
          .contains("--embedded-max-bytes");
      assertThat(err.get("details").get("option").asText()).isEqualTo("--embedded-max-bytes");
      assertThat(err.get("details").get("limit").asText()).isEqualTo("bytes");
      figure("byte_limit", err.get("details").get("max").asLong());
      assertThat(Http.status(health)).isEqualTo(200);
      assertThat(Http.status(metrics)).isEqualTo(200);
      assertThat(app.isAlive()).isTrue();

      // deleted jobs free their share: a big job fits again
      for (String id : big) {
        assertThat(Http.send("DELETE", URI.create(jobs + "/" + id), null).statusCode())
            .isEqualTo(204);
      }
      HttpResponse<String> again = Http.send("POST", jobs, BIG);
      assertThat(again.statusCode()).as(again.body()).isEqualTo(201);

      // small jobs until the job bound: 500 stored in all
      int small = 0;
      HttpResponse<String> full = null;
      for (int i = 0; i < 1000 && full == null; i++) {
        HttpResponse<String> r = Http.send("POST", jobs, SMALL);
        if (r.statusCode() == 201) {
          small++;
        } else {
          full = r;
        }
      }
      assertThat(full).isNotNull();
      assertThat(full.statusCode()).as(full.body()).isEqualTo(507);
      assertThat(Http.json(full).get("details").get("option").asText())
          .isEqualTo("--embedded-max-jobs");
      assertThat(small).isEqualTo(499);
      JsonNode stats = Http.json(Http.get(URI.create(jobs + "/stats")));
      assertThat(stats.get("total").asInt()).isEqualTo(500);
      figure("small_jobs_accepted", small);
      assertThat(Http.status(health)).isEqualTo(200);
      assertThat(Http.status(metrics)).isEqualTo(200);
      assertThat(app.isAlive()).isTrue();
    }
  }

  private static void figure(String key, long value) {
    System.out.println("EMBEDDED " + key + " = " + value);
  }
}

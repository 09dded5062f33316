package io.osapi.app.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full JetStream store on real processes: nats-server whose JetStream may take 48 MiB ({@code
 * jetstream { max_file_store }} in its config file), a controller with {@code --nats-max-bytes
 * 16m} and a worker. Jobs of 30 KiB are POSTed one after another until the job bucket's create
 * bound answers 507 at once (no hold, no {@code Retry-After}); readiness and {@code
 * osapi_job_store_full} show it; every accepted job ends (none handed back for ever); deleting
 * jobs brings creates back without a restart. Then another tenant's stream without limits fills
 * the server: creates are 507 at once again, naming the server's storage, until it is removed.
 * Figures go to stdout as {@code STOREFULL key = value}.
 */
class NatsStoreFullIT {
  private static final String BIG = "{\"operation\":{\"type\":\"diag.echo\",\"data\":{\"x\":\""
      + "a".repeat(30 * 1024 - 64) + "\"}}}";

  @TempDir Path dir;

  @Test
  void aFullStoreIsNamedAndAnsweredAtOnce() throws Exception {
    Path conf = dir.resolve("nats.conf");
    Files.writeString(conf, "jetstream {\n  max_file_store: " + (48L << 20) + "\n}\n");
    int apiPort = Ports.free();
    int metricsPort = Ports.free();
    int workerMetricsPort = Ports.free();
    URI jobs = URI.create("http://127.0.0.1:" + apiPort + "/api/v1/jobs");
    URI ready = URI.create("http://127.0.0.1:" + metricsPort + "/health/ready");
    URI metrics = URI.create("http://127.0.0.1:" + metricsPort + "/metrics");
    try (NatsServer nats = NatsServer.start(dir, List.of("-c", conf.toString()));
        OsProcess controller = OsProcess.start("full-controller", dir, Map.of(),
            OsProcess.javaJar(OsProcess.jar(), "controller", "--nats", nats.url(), "--api-addr",
                "127.0.0.1:" + apiPort, "--metrics-addr", "127.0.0.1:" + metricsPort,
                "--nats-max-bytes", "16m"));
        OsProcess worker = OsProcess.start("full-worker", dir, Map.of(),
            OsProcess.javaJar(OsProcess.jar(), "worker", "--nats", nats.url(), "--worker-id",
                "full-w", "--metrics-addr", "127.0.0.1:" + workerMetricsPort))) {
      controller.await("controller ready", Duration.ofSeconds(60), () -> Http.status(ready) == 200);
      worker.await("worker ready", Duration.ofSeconds(60), () -> Http.status(
          URI.create("http://127.0.0.1:" + workerMetricsPort + "/health/ready")) == 200);

      List<String> accepted = new ArrayList<>();
      HttpResponse<String> refused = null;
      long refusedMillis = 0;
      for (int i = 0; i < 2000 && refused == null; i++) {
        long t0 = System.nanoTime();
        HttpResponse<String> r = Http.send("POST", jobs, BIG);
        if (r.statusCode() == 201) {
          accepted.add(Http.json(r).get("job_id").asText());
        } else {
          refused = r;
          refusedMillis = (System.nanoTime() - t0) / 1_000_000;
        }
      }
      assertThat(refused).as("a create refused before 2,000 jobs of 30 KiB").isNotNull();
      figure("jobs_accepted", accepted.size());
      figure("refusal_ms", refusedMillis);
      assertThat(refused.statusCode()).as(refused.body()).isEqualTo(507);
      assertThat(refused.headers().firstValue("Retry-After")).isEmpty();
      assertThat(refusedMillis).as("answered at once, not held").isLessThan(2000);
      JsonNode err = Http.json(refused);
      assertThat(err.get("error").asText()).contains("the job store is full");
      assertThat(err.get("details").get("limit").asText()).isEqualTo("bucket");
      assertThat(err.get("details").get("option").asText()).isEqualTo("--nats-max-bytes");
      // another create is refused as fast
      long t1 = System.nanoTime();
      assertThat(Http.send("POST", jobs, BIG).statusCode()).isEqualTo(507);
      assertThat((System.nanoTime() - t1) / 1_000_000).isLessThan(2000);

      controller.await("not ready: the store is full", Duration.ofSeconds(20),
          () -> Http.get(ready).body().contains("the job store is full"));
      assertThat(Http.status(ready)).isEqualTo(503);
      String scrape = Http.get(metrics).body();
      assertThat(Scrape.sum(scrape, "osapi_job_store_full")).isEqualTo(1);
      assertThat(Scrape.sum(scrape, "osapi_job_store_usage_ratio")).isBetween(0.8, 1.2);
      System.out.println("STOREFULL usage_ratio = " + Scrape.sum(scrape, "osapi_job_store_usage_ratio"));

      // every accepted job ends: none is handed back for ever
      controller.await("every accepted job ended", Duration.ofSeconds(90), () -> {
        for (String id : accepted) {
          String b = Http.get(URI.create(jobs + "/" + id)).body();
          if (!b.contains("\"status\":\"completed\"") && !b.contains("\"status\":\"failed\"")) {
            return false;
          }
        }
        return true;
      });
      int failed = 0;
      for (String id : accepted) {
        String b = Http.get(URI.create(jobs + "/" + id)).body();
        if (b.contains("\"status\":\"failed\"")) {
          failed++;
          assertThat(b).as("a failed job names the full store").contains("the job store is full");
        }
      }
      figure("jobs_failed_store_full", failed);

      // deletes free room: creates come back without a restart
      for (String id : accepted.subList(0, accepted.size() / 2)) {
        assertThat(Http.send("DELETE", URI.create(jobs + "/" + id), null).statusCode())
            .isEqualTo(204);
      }
      controller.await("ready again", Duration.ofSeconds(20), () -> Http.status(ready) == 200);
      assertThat(Scrape.sum(Http.get(metrics).body(), "osapi_job_store_full")).isZero();
      HttpResponse<String> again = Http.send("POST", jobs, BIG);
      assertThat(again.statusCode()).as(again.body()).isEqualTo(201);

      // another tenant fills the server: creates are refused at once, naming the server
      try (Connection c = nats.connect()) {
        JetStreamManagement jsm = c.jetStreamManagement();
        jsm.addStream(StreamConfiguration.builder().name("OTHER").subjects("other.>")
            .storageType(StorageType.File).build());
        JetStream js = c.jetStream();
        byte[] chunk = new byte[256 * 1024];
        int stored = 0;
        try {
          for (int i = 0; i < 400; i++) {
            js.publish("other.x", chunk);
            stored++;
          }
        } catch (Exception full) {
          figure("other_chunks_stored", stored);
        }
        HttpResponse<String> server = null;
        for (int i = 0; i < 50 && server == null; i++) {
          long t2 = System.nanoTime();
          HttpResponse<String> r = Http.send("POST", jobs, BIG);
          if (r.statusCode() != 201) {
            server = r;
            figure("server_full_refusal_ms", (System.nanoTime() - t2) / 1_000_000);
          }
        }
        assertThat(server).isNotNull();
        assertThat(server.statusCode()).as(server.body()).isEqualTo(507);
        assertThat(server.headers().firstValue("Retry-After")).isEmpty();
        assertThat(Http.json(server).get("details").get("limit").asText()).isEqualTo("server");
        assertThat(Http.json(server).get("error").asText()).contains("no storage left");
        jsm.deleteStream("OTHER");
      }
      controller.await("creates back once the tenant left", Duration.ofSeconds(20),
          () -> Http.send("POST", jobs, "{\"operation\":{\"type\":\"diag.echo\"}}")
              .statusCode() == 201);
      assertThat(controller.isAlive()).isTrue();
      assertThat(worker.isAlive()).isTrue();
    }
  }

  private static void figure(String key, long value) {
    System.out.println("STOREFULL " + key + " = " + value);
  }
}

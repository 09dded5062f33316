package io.osapi.app.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A controller and a worker started before NATS: not ready, job creation answered 503; once
 * nats-server is up they become ready by themselves and jobs run.
 */
class NatsComesLaterIT {
  @TempDir Path dir;

  @Test
  void readyByItselfWhenNatsAppears() throws Exception {
    int natsPort = Ports.freeBelowEphemeral();
    String url = "nats://127.0.0.1:" + natsPort;
    int apiPort = Ports.free();
    int metricsPort = Ports.free();
    int workerMetricsPort = Ports.free();
    URI api = URI.create("http://127.0.0.1:" + apiPort + "/api/v1/jobs");
    URI ready = URI.create("http://127.0.0.1:" + metricsPort + "/health/ready");
    try (OsProcess controller = OsProcess.start("late-controller", dir, Map.of(),
            OsProcess.javaJar(OsProcess.jar(), "controller", "--nats", url, "--api-addr",
                "127.0.0.1:" + apiPort, "--metrics-addr", "127.0.0.1:" + metricsPort,
                "--create-patience", "2s"));
        OsProcess worker = OsProcess.start("late-worker", dir, Map.of(),
            OsProcess.javaJar(OsProcess.jar(), "worker", "--nats", url, "--worker-id", "late-w",
                "--metrics-addr", "127.0.0.1:" + workerMetricsPort))) {
      controller.awaitStdout("backend: .*", Duration.ofSeconds(40));
      assertThat(controller.stdout()).contains("not connected yet");
      HttpResponse<String> notReady = Http.get(ready);
      assertThat(notReady.statusCode()).isEqualTo(503);
      assertThat(notReady.body()).contains("nats");
      HttpResponse<String> refused =
          Http.send("POST", api, "{\"operation\":{\"type\":\"diag.echo\"}}");
      // held for the create patience (2 s here), then refused
      assertThat(refused.statusCode()).isEqualTo(503);
      assertThat(refused.headers().firstValue("Retry-After")).hasValue("5");
      String metrics = Http.get(URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).body();
      assertThat(Scrape.sum(metrics, "osapi_component_up")).isZero();
      assertThat(Scrape.sum(metrics, "osapi_nats_connected")).isZero();

      Path store = dir.resolve("js");
      try (OsProcess nats = OsProcess.start("late-nats", dir, Map.of(), List.of(
          NatsServer.find().toString(), "-js", "-a", "127.0.0.1", "-p", Integer.toString(natsPort), "-sd",
          store.toString()))) {
        nats.await("nats-server accepting", Duration.ofSeconds(15),
            () -> nats.stderr().contains("Server is ready"));
        try {
          controller.await("controller ready", Duration.ofSeconds(40),
              () -> Http.status(ready) == 200);
        } catch (AssertionError e) {
          throw new AssertionError(e.getMessage() + "\n" + nats.report() + "\n" + worker.report(), e);
        }
        URI workerReady = URI.create("http://127.0.0.1:" + workerMetricsPort + "/health/ready");
        worker.await("worker ready", Duration.ofSeconds(40), () -> Http.status(workerReady) == 200);
        HttpResponse<String> ok = Http.send("POST", api,
            "{\"operation\":{\"type\":\"diag.echo\"},\"target\":\"late-w\"}");
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(201);
        String id = Http.json(ok).get("job_id").asText();
        controller.await("the job to complete", Duration.ofSeconds(20),
            () -> Http.get(URI.create(api + "/" + id)).body().contains("\"status\":\"completed\""));
        String after = Http.get(URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).body();
        assertThat(Scrape.sum(after, "osapi_nats_connected")).isEqualTo(1);
        assertThat(Scrape.sum(after, "osapi_component_up")).isEqualTo(1);
        worker.terminate();
        assertThat(worker.awaitExit(Duration.ofSeconds(30))).isZero();
        controller.terminate();
        assertThat(controller.awaitExit(Duration.ofSeconds(30))).isZero();
      }
    }
  }
}

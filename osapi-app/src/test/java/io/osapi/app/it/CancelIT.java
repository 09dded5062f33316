package io.osapi.app.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Cancel on real nats-server and jar processes (docs/architecture.md, "Cancel"): a queued job is
 * cancelled and never runs; a running {@code diag.sleep 60} stops within 2 s, its run
 * {@code cancelled} and the worker's {@code osapi_jobs_active} back to 0; a broadcast over three
 * workers has every run stopped; a finished job answers 409; a cancel taken by one controller while
 * the other is killed, and that controller killed right after, still stops the run.
 */
class CancelIT {
  private static final Duration TOLD = Duration.ofSeconds(2);

  @RegisterExtension final ItProcesses its = new ItProcesses();

  private <T extends AutoCloseable> T keep(T c) {
    return its.keep(c);
  }

  private static HttpResponse<String> cancel(Osapi c, String id) {
    return Http.send("POST", c.api("/jobs/" + id + "/cancel"), "");
  }

  private static String submit(Osapi c, String type, String data, String target) {
    HttpResponse<String> r = Http.send("POST", c.api("/jobs"), "{\"operation\":{\"type\":\""
        + type + "\",\"data\":" + data + "}" + (target == null ? ""
        : ",\"target\":\"" + target + "\"") + "}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return Http.json(r).get("job_id").asText();
  }

  private static double value(Osapi p, String name, String... labels) {
    double v = p.metric(name, labels);
    return Double.isNaN(v) ? 0 : v;
  }

  private static boolean running(Osapi c, String id, String worker) {
    JsonNode d = c.job(id);
    return d != null && "running".equals(d.at("/workers/" + worker + "/state").asText());
  }

  @Test
  void queuedRunningBroadcastFinishedAndAcrossControllerRestarts() throws Exception {
    Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "it")),
        "cancel-");
    NatsServer nats = keep(NatsServer.start(dir));
    Osapi c1 = keep(Osapi.controller(dir, nats.url()));
    c1.awaitReady(); // lays out the fresh server alone (see FleetIT)
    Osapi c2 = keep(Osapi.controller(dir, nats.url()));
    c2.awaitReady();

    // queued: no worker yet
    String queued = submit(c1, "diag.echo", "{\"n\":1}", null);
    HttpResponse<String> r = cancel(c1, queued);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    assertThat(Http.json(r).path("status").asText()).isEqualTo("cancelled");
    r = cancel(c2, queued);
    assertThat(r.statusCode()).as("cancelled already: " + r.body()).isEqualTo(409);
    assertThat(Http.json(r).at("/details/status").asText()).isEqualTo("cancelled");
    assertThat(cancel(c1, "01a2490f-d239-7072-99d0-16400f9bb40b").statusCode()).isEqualTo(404);

    List<Osapi> ws = List.of(
        keep(Osapi.worker(dir, nats.url(), "cx-1", "--concurrency", "2")),
        keep(Osapi.worker(dir, nats.url(), "cx-2", "--concurrency", "2")),
        keep(Osapi.worker(dir, nats.url(), "cx-3", "--concurrency", "2")));
    ws.forEach(Osapi::awaitReady);
    c1.await("three registered workers", Duration.ofSeconds(30), () -> {
      HttpResponse<String> l = Http.get(c1.api("/workers"));
      return l != null && l.statusCode() == 200 && l.body().contains("cx-1")
          && l.body().contains("cx-2") && l.body().contains("cx-3");
    });
    // positive control: a job after it runs, so the workers had the queued one's notification
    String marker = submit(c1, "diag.echo", "{\"n\":2}", null);
    c1.awaitEnded(List.of(marker), Duration.ofSeconds(30));
    assertThat(c1.status(marker)).isEqualTo("completed");
    JsonNode q = c1.job(queued);
    assertThat(q.path("status").asText()).isEqualTo("cancelled");
    assertThat(q.path("results")).hasSize(1);
    assertThat(q.at("/results/0/status").asText()).isEqualTo("cancelled");
    assertThat(ws.stream().mapToDouble(w -> value(w, "osapi_jobs_completed_total",
        "operation=\"diag.echo\"")).sum()).as("only the marker ran").isEqualTo(1);
    // finished: 409, nothing changes
    r = cancel(c2, marker);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(409);
    assertThat(Http.json(r).at("/details/status").asText()).isEqualTo("completed");

    // running diag.sleep 60, cancelled through the other controller
    String sleep = submit(c1, "diag.sleep", "{\"seconds\":60}", "cx-1");
    c1.await("cx-1 to run it", Duration.ofSeconds(20), () -> running(c1, sleep, "cx-1")
        && value(ws.get(0), "osapi_jobs_active") == 1);
    long t0 = System.nanoTime();
    r = cancel(c2, sleep);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    c2.await("cx-1 to stop it", TOLD, () -> value(ws.get(0), "osapi_jobs_active") == 0);
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(TOLD);
    JsonNode s = c1.job(sleep);
    assertThat(s.path("status").asText()).isEqualTo("cancelled");
    assertThat(s.at("/workers/cx-1/state").asText()).isEqualTo("cancelled");
    assertThat(value(c2, "osapi_jobs_cancelled_total", "operation=\"diag.sleep\"")).isEqualTo(1);
    assertThat(value(c1, "osapi_jobs_cancelled_total", "operation=\"diag.sleep\"")).isZero();

    // a broadcast over the three workers
    String all = submit(c1, "diag.sleep", "{\"seconds\":60}", "_all");
    c1.await("all three to run it", Duration.ofSeconds(20), () -> running(c1, all, "cx-1")
        && running(c1, all, "cx-2") && running(c1, all, "cx-3"));
    t0 = System.nanoTime();
    r = cancel(c1, all);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    c1.await("every worker to stop it", TOLD,
        () -> ws.stream().allMatch(w -> value(w, "osapi_jobs_active") == 0));
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(TOLD);
    JsonNode b = c1.job(all);
    assertThat(b.path("status").asText()).isEqualTo("cancelled");
    for (String w : List.of("cx-1", "cx-2", "cx-3")) {
      assertThat(b.at("/workers/" + w + "/state").asText()).as(w).isEqualTo("cancelled");
    }

    // the controller that created the job is killed; the other takes the cancel and is killed
    // right after: the request is in NATS, the worker stops anyway
    String held = submit(c1, "diag.sleep", "{\"seconds\":60}", "cx-2");
    c1.await("cx-2 to run it", Duration.ofSeconds(20), () -> running(c1, held, "cx-2")
        && value(ws.get(1), "osapi_jobs_active") == 1);
    c1.kill();
    t0 = System.nanoTime();
    r = cancel(c2, held);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    c2.kill();
    ws.get(1).await("cx-2 to stop it with no controller up", TOLD,
        () -> value(ws.get(1), "osapi_jobs_active") == 0);
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(TOLD);
    Osapi c3 = keep(Osapi.controller(dir, nats.url()));
    c3.awaitReady();
    JsonNode h = c3.job(held);
    assertThat(h.path("status").asText()).as(h.toString()).isEqualTo("cancelled");
    assertThat(h.at("/workers/cx-2/state").asText()).isEqualTo("cancelled");
    // the workers still take jobs: their slots are free and no delivery was left unsettled
    String after = submit(c3, "diag.echo", "{\"n\":3}", "_all");
    c3.awaitEnded(List.of(after), Duration.ofSeconds(30));
    assertThat(c3.status(after)).isEqualTo("completed");
  }
}

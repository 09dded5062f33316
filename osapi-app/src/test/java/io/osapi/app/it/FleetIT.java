package io.osapi.app.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Fleet operations on real nats-server and jar processes: a broadcast job whose expected worker
 * was killed ends partial_failure at its timeout, with that worker "did not respond", counted once
 * in {@code osapi_job_runs_timed_out_total}; the deadline survives a controller killed and
 * replaced while it waits; a drained worker runs no new job, finishes the one it runs, is
 * cordoned across a restart and takes jobs again once undrained (docs/reliability.md).
 */
class FleetIT {
  private NatsServer nats;

  @RegisterExtension final ItProcesses its = new ItProcesses();

  private <T extends AutoCloseable> T keep(T c) {
    return its.keep(c);
  }

  private static HttpResponse<String> broadcast(Osapi c, String extra) {
    return Http.send("POST", c.api("/jobs"),
        "{\"operation\":{\"type\":\"diag.echo\",\"data\":{}},\"target\":\"_all\"" + extra + "}");
  }

  private static double timedOut(Osapi c) {
    double v = c.metric("osapi_job_runs_timed_out_total", "operation=\"diag.echo\"");
    return Double.isNaN(v) ? 0 : v;
  }

  @Test
  void aKilledWorkerOfABroadcastDoesNotRespondAndTheJobEndsAtItsTimeout() throws Exception {
    Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "it")),
        "fleet-");
    nats = keep(NatsServer.start(dir));
    Osapi c1 = keep(Osapi.controller(dir, nats.url(), "--job-timeout", "2m"));
    // one process lays out a fresh server first: nats-server 2.9.10 can panic on the v1-store
    // look-up (a message get) of a process while another one creates that stream
    c1.awaitReady();
    Osapi w1 = keep(Osapi.worker(dir, nats.url(), "fl-w1"));
    Osapi w2 = keep(Osapi.worker(dir, nats.url(), "fl-w2"));
    Osapi w3 = keep(Osapi.worker(dir, nats.url(), "fl-w3"));
    for (Osapi p : List.of(c1, w1, w2, w3)) {
      p.awaitReady();
    }
    c1.await("three registered workers", Duration.ofSeconds(30), () -> {
      HttpResponse<String> r = Http.get(c1.api("/workers"));
      return r != null && r.statusCode() == 200 && r.body().contains("fl-w1")
          && r.body().contains("fl-w2") && r.body().contains("fl-w3");
    });
    // out of bounds, or not whole seconds: 400, nothing stored
    for (String bad : List.of("0", "86401", "1.5", "\"5\"")) {
      HttpResponse<String> r = broadcast(c1, ",\"timeout_seconds\":" + bad);
      assertThat(r.statusCode()).as(bad + ": " + r.body()).isEqualTo(400);
      assertThat(r.body()).contains("timeout_seconds");
    }
    w3.kill(); // kill -9: its registry entry stays fresh for the heartbeat TTL
    long start = System.nanoTime();
    HttpResponse<String> created = broadcast(c1, ",\"timeout_seconds\":3");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    String id = Http.json(created).get("job_id").asText();
    JsonNode early = c1.job(id);
    c1.await("the live workers to answer", Duration.ofSeconds(10), () -> {
      JsonNode d = c1.job(id);
      return d != null && "completed".equals(d.at("/workers/fl-w1/state").asText())
          && "completed".equals(d.at("/workers/fl-w2/state").asText());
    });
    assertThat(c1.status(id)).isEqualTo("processing");
    c1.awaitEnded(List.of(id), Duration.ofSeconds(30));
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    JsonNode d = c1.job(id);
    assertThat(d.path("status").asText()).as(d.toString()).isEqualTo("partial_failure");
    assertThat(d.at("/workers/fl-w3/state").asText()).isEqualTo("failed");
    assertThat(d.at("/workers/fl-w3/error").asText()).isEqualTo("did not respond within 3s");
    assertThat(d.path("error").asText()).isEqualTo("did not respond within 3s");
    assertThat(took).as("ended at its own 3 s timeout, not the controller's 2 m")
        .isGreaterThanOrEqualTo(Duration.ofMillis(2900)).isLessThan(Duration.ofSeconds(20));
    assertThat(early).isNotNull();
    c1.await("the timed-out run to be counted", Duration.ofSeconds(10),
        () -> timedOut(c1) == 1);

    // the deadline is kept in NATS: a controller killed while the job waits, and another started
    // later, still ends the job
    HttpResponse<String> second = broadcast(c1, ",\"timeout_seconds\":4");
    assertThat(second.statusCode()).as(second.body()).isEqualTo(201);
    String id2 = Http.json(second).get("job_id").asText();
    c1.kill();
    OsProcess.sleep(5000); // past the deadline with no controller at all
    Osapi c2 = keep(Osapi.controller(dir, nats.url()));
    c2.awaitReady();
    c2.awaitEnded(List.of(id2), Duration.ofSeconds(30));
    JsonNode d2 = c2.job(id2);
    assertThat(d2.path("status").asText()).as(d2.toString()).isEqualTo("partial_failure");
    assertThat(d2.at("/workers/fl-w3/error").asText()).isEqualTo("did not respond within 4s");
    c2.await("the second timed-out run to be counted", Duration.ofSeconds(10),
        () -> timedOut(c2) == 1);
    OsProcess.sleep(1500);
    assertThat(timedOut(c2)).as("counted once").isEqualTo(1);
    // the first job is untouched by the new controller
    assertThat(c2.job(id).path("status").asText()).isEqualTo("partial_failure");
  }

  private static String workerState(Osapi c, String id) {
    HttpResponse<String> r = Http.get(c.api("/workers"));
    if (r == null || r.statusCode() != 200) {
      return null;
    }
    for (JsonNode w : Http.json(r).path("workers")) {
      if (w.path("id").asText().equals(id)) {
        return w.path("state").asText();
      }
    }
    return null;
  }

  private static double processed(Osapi w, String id) {
    double v = w.metric("osapi_worker_jobs_processed_total", "worker=\"" + id + "\"");
    return Double.isNaN(v) ? 0 : v;
  }

  private static HttpResponse<String> drain(Osapi c, String id, String what) {
    return Http.send("POST", c.api("/workers/" + id + "/" + what), "");
  }

  private static String submit(Osapi c, String type, String data, String target) {
    HttpResponse<String> r = Http.send("POST", c.api("/jobs"), "{\"operation\":{\"type\":\""
        + type + "\",\"data\":" + data + "}" + (target == null ? ""
        : ",\"target\":\"" + target + "\"") + "}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return Http.json(r).get("job_id").asText();
  }

  @Test
  void aDrainedWorkerTakesNoNewJobsIsCordonedAcrossARestartAndComesBack() throws Exception {
    Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "it")),
        "drain-");
    nats = keep(NatsServer.start(dir));
    Osapi c = keep(Osapi.controller(dir, nats.url()));
    c.awaitReady(); // lays out the fresh server alone (see above)
    Osapi d1 = keep(Osapi.worker(dir, nats.url(), "dr-1", "--concurrency", "1"));
    Osapi d2 = keep(Osapi.worker(dir, nats.url(), "dr-2", "--concurrency", "2"));
    Osapi d3 = keep(Osapi.worker(dir, nats.url(), "dr-3", "--concurrency", "2"));
    for (Osapi p : List.of(c, d1, d2, d3)) {
      p.awaitReady();
    }
    c.await("three ready workers", Duration.ofSeconds(30), () -> List.of("dr-1", "dr-2", "dr-3")
        .stream().allMatch(id -> "ready".equals(workerState(c, id))));
    assertThat(drain(c, "nobody", "drain").statusCode()).isEqualTo(404);
    assertThat(drain(c, "dr-1", "undrain").statusCode()).as("not drained").isEqualTo(409);

    // dr-1 runs a job, then is drained while it runs
    String slow = submit(c, "diag.sleep", "{\"seconds\":4}", "dr-1");
    c.await("dr-1 to run the slow job", Duration.ofSeconds(15),
        () -> "running".equals(c.job(slow).at("/workers/dr-1/state").asText()));
    HttpResponse<String> r = drain(c, "dr-1", "drain");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(Http.json(r).path("state").asText()).isEqualTo("draining");
    assertThat(drain(c, "dr-1", "drain").statusCode()).as("drained already").isEqualTo(409);
    c.await("dr-1 to report draining", Duration.ofSeconds(15),
        () -> "draining".equals(workerState(c, "dr-1")));
    assertThat(processed(d1, "dr-1")).isZero();

    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      ids.add(submit(c, "diag.echo", "{\"i\":" + i + "}", null));
    }
    c.awaitEnded(ids, Duration.ofSeconds(60));
    for (String id : ids) {
      JsonNode d = c.job(id);
      assertThat(d.path("status").asText()).isEqualTo("completed");
      assertThat(d.at("/results/0/worker").asText()).as(id).isIn("dr-2", "dr-3");
    }
    c.awaitEnded(List.of(slow), Duration.ofSeconds(15));
    assertThat(c.status(slow)).as("the job it ran").isEqualTo("completed");
    c.await("dr-1 to report cordoned", Duration.ofSeconds(15),
        () -> "cordoned".equals(workerState(c, "dr-1")));
    assertThat(processed(d1, "dr-1")).as("only the job it was running").isEqualTo(1);
    // not an expected responder now
    HttpResponse<String> all = Http.send("POST", c.api("/jobs"),
        "{\"operation\":{\"type\":\"diag.echo\",\"data\":{}},\"target\":\"_all\"}");
    assertThat(all.statusCode()).isEqualTo(201);
    assertThat(c.job(Http.json(all).get("job_id").asText()).path("workers").fieldNames())
        .toIterable().containsExactlyInAnyOrder("dr-2", "dr-3");
    c.await("the gauge to show one cordoned worker", Duration.ofSeconds(15),
        () -> c.metric("osapi_workers_by_state", "state=\"cordoned\"") == 1
            && c.metric("osapi_workers_by_state", "state=\"ready\"") == 2);

    // a restart keeps it cordoned
    d1.close();
    Osapi d1b = keep(Osapi.worker(dir, nats.url(), "dr-1", "--concurrency", "1"));
    d1b.awaitReady();
    c.await("dr-1 back, cordoned", Duration.ofSeconds(30),
        () -> "cordoned".equals(workerState(c, "dr-1")));
    List<String> more = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      more.add(submit(c, "diag.echo", "{}", null));
    }
    c.awaitEnded(more, Duration.ofSeconds(30));
    assertThat(processed(d1b, "dr-1")).isZero();

    // undrained: ready, and it runs jobs again
    r = drain(c, "dr-1", "undrain");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    c.await("dr-1 ready", Duration.ofSeconds(15), () -> "ready".equals(workerState(c, "dr-1")));
    String host = submit(c, "diag.echo", "{}", "dr-1");
    c.awaitEnded(List.of(host), Duration.ofSeconds(15));
    assertThat(c.status(host)).isEqualTo("completed");
    assertThat(processed(d1b, "dr-1")).isEqualTo(1);
  }
}

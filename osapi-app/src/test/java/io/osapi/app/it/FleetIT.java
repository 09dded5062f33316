package io.osapi.app.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Fleet operations on real nats-server and jar processes: a broadcast job whose expected worker
 * was killed ends partial_failure at its timeout, with that worker "did not respond", counted once
 * in {@code osapi_job_runs_timed_out_total}; the deadline survives a controller killed and
 * replaced while it waits (docs/reliability.md).
 */
class FleetIT {
  private final List<AutoCloseable> all = new ArrayList<>();
  private final List<Osapi> processes = new ArrayList<>();
  private NatsServer nats;

  @RegisterExtension
  final TestWatcher dumpOnFailure = new TestWatcher() {
    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
      System.err.println(nats == null ? "" : nats.report());
      processes.forEach(p -> System.err.println(p.report()));
    }
  };

  @AfterEach
  void stop() {
    for (int i = all.size() - 1; i >= 0; i--) {
      try {
        all.get(i).close();
      } catch (Exception e) {
        // best effort
      }
    }
  }

  private <T extends AutoCloseable> T keep(T c) {
    all.add(c);
    if (c instanceof Osapi o) {
      processes.add(o);
    }
    return c;
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
}

package io.osapi.app.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Rolling broadcasts on real nats-server and jar processes (docs/architecture.md, "Rolling
 * broadcasts"): over five workers with batch size 2 (through {@code osapi job submit
 * --batch-size 2 --max-failures 0 --wait}) no more than two runs ever run at once, sampled from the
 * workers' {@code osapi_jobs_active} and checked on the runs' timelines; a run failing on one host
 * with {@code max_failures: 0} stops the rollout and the workers after it are skipped, never run;
 * a controller SIGKILLed while the rollout waits out a pause is replaced and the rollout finishes,
 * each worker run once.
 */
class RolloutIT {
  private static final List<String> FLEET = List.of("ro-1", "ro-2", "ro-3", "ro-4", "ro-5");

  @RegisterExtension final ItProcesses its = new ItProcesses();

  private <T extends AutoCloseable> T keep(T c) {
    return its.keep(c);
  }

  private static String create(Osapi c, String data, String rollout) {
    HttpResponse<String> r = Http.send("POST", c.api("/jobs"), "{\"operation\":{\"type\":"
        + "\"diag.sleep\",\"data\":" + data + "},\"target\":\"_all\",\"timeout_seconds\":300,"
        + "\"rollout\":" + rollout + "}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return Http.json(r).get("job_id").asText();
  }

  private static double value(Osapi p, String name, String... labels) {
    double v = p.metric(name, labels);
    return Double.isNaN(v) ? 0 : v;
  }

  /** The most runs of {@code job} that overlapped in time, from their start and end. */
  private static int overlap(JsonNode job) {
    List<Instant[]> spans = new ArrayList<>();
    job.get("workers").forEach(w -> {
      if (w.hasNonNull("started") && w.hasNonNull("ended")) {
        spans.add(new Instant[] {Instant.parse(w.get("started").asText()),
            Instant.parse(w.get("ended").asText())});
      }
    });
    int most = 0;
    for (Instant[] s : spans) {
      int at = 0;
      for (Instant[] o : spans) {
        if (!o[0].isAfter(s[0]) && o[1].isAfter(s[0])) {
          at++;
        }
      }
      most = Math.max(most, at);
    }
    return most;
  }

  @Test
  void aWindowOfTwoAStopOnFailureAndAControllerKilledMidRollout() throws Exception {
    Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "it")),
        "rollout-");
    NatsServer nats = keep(NatsServer.start(dir));
    Osapi c1 = keep(Osapi.controller(dir, nats.url()));
    c1.awaitReady();
    List<Osapi> ws = new ArrayList<>();
    for (String id : FLEET) {
      // ro-2 is the host the failing run fails on
      ws.add(keep(Osapi.worker(dir, nats.url(), id, "--concurrency", "2", "--labels",
          id.equals("ro-2") ? "canary=bad" : "canary=good")));
    }
    ws.forEach(Osapi::awaitReady);
    c1.await("five registered workers", Duration.ofSeconds(30), () -> {
      HttpResponse<String> l = Http.get(c1.api("/workers"));
      return l != null && l.statusCode() == 200 && FLEET.stream().allMatch(l.body()::contains);
    });

    // 1. batch size 2 through the CLI, the workers' active gauges sampled while it runs
    AtomicBoolean sampling = new AtomicBoolean(true);
    AtomicInteger most = new AtomicInteger();
    AtomicInteger samples = new AtomicInteger();
    Thread sampler = new Thread(() -> {
      while (sampling.get()) {
        int active = 0;
        for (Osapi w : ws) {
          active += (int) value(w, "osapi_jobs_active");
        }
        most.accumulateAndGet(active, Math::max);
        samples.incrementAndGet();
      }
    });
    sampler.start();
    OsProcess cli = keep(OsProcess.start("cli-rollout", dir, Map.of(), OsProcess.javaJar(
        OsProcess.jar(), "job", "submit", "--controller", "http://127.0.0.1:" + c1.apiPort,
        "--type", "diag.sleep", "--data", "{\"seconds\":2}", "--target",
        "_all", "--timeout", "300", "--batch-size", "2", "--max-failures", "0", "--wait")));
    int exit = cli.awaitExit(Duration.ofSeconds(90));
    sampling.set(false);
    sampler.join();
    assertThat(exit).as(cli.report()).isZero();
    assertThat(cli.stdout()).contains("rollout     batch 2, max failures 0; 2 of 5 released")
        .contains("5 of 5 released, 0 running, 5 done (0 failed), 0 skipped").contains("completed");
    String first = cli.stdout().replaceAll("(?s).*submitted +job ([0-9a-f-]{36}).*", "$1");
    JsonNode done = c1.job(first);
    assertThat(done.path("status").asText()).isEqualTo("completed");
    assertThat(done.at("/rollout/released").asInt()).isEqualTo(5);
    assertThat(overlap(done)).as("runs that overlapped, from their timelines").isEqualTo(2);
    assertThat(samples.get()).isGreaterThan(10);
    assertThat(most.get()).as("the most runs active at once, sampled").isBetween(1, 2);
    assertThat(value(c1, "osapi_rollout_runs_released_total", "operation=\"diag.sleep\""))
        .isEqualTo(5);

    // 2. a run that fails on ro-2 with max_failures 0: ro-3 to ro-5 are never released
    String stopped = create(c1, "{\"seconds\":1,\"fail_on_label\":\"canary=bad\"}",
        "{\"batch_size\":1,\"max_failures\":0}");
    c1.awaitEnded(List.of(stopped), Duration.ofSeconds(60));
    JsonNode s = c1.job(stopped);
    assertThat(s.path("status").asText()).isEqualTo("partial_failure");
    assertThat(s.path("error").asText()).contains("rollout stopped: 1 released run failed (ro-2)");
    assertThat(s.at("/workers/ro-1/state").asText()).isEqualTo("completed");
    assertThat(s.at("/workers/ro-2/state").asText()).isEqualTo("failed");
    for (String w : List.of("ro-3", "ro-4", "ro-5")) {
      assertThat(s.at("/workers/" + w + "/state").asText()).as(w).isEqualTo("skipped");
    }
    assertThat(s.at("/rollout/skipped").asInt()).isEqualTo(3);
    assertThat(s.at("/rollout/stopped").asText()).contains("max_failures 0");
    assertThat(value(c1, "osapi_rollouts_stopped_total", "operation=\"diag.sleep\""))
        .isEqualTo(1);
    for (int i = 0; i < 5; i++) { // ro-3..5 ran only the first rollout's run: 1 each
      assertThat(value(ws.get(i), "osapi_worker_jobs_processed_total"))
          .as(FLEET.get(i) + " processed").isEqualTo(i < 2 ? 2 : 1);
    }

    // 3. the controller is SIGKILLed while the rollout waits out a pause; a new one finishes it
    String held = create(c1, "{\"seconds\":0.5}",
        "{\"batch_size\":1,\"pause_seconds\":4,\"max_failures\":0}");
    c1.await("ro-1's run to end and the pause to hold ro-2", Duration.ofSeconds(30), () -> {
      JsonNode j = c1.job(held);
      return j != null && j.at("/rollout/done").asInt() == 1 && j.at("/rollout/released").asInt()
          == 1;
    });
    c1.kill();
    Osapi c2 = keep(Osapi.controller(dir, nats.url()));
    c2.awaitReady();
    c2.awaitEnded(List.of(held), Duration.ofSeconds(90));
    JsonNode h = c2.job(held);
    assertThat(h.path("status").asText()).isEqualTo("completed");
    assertThat(h.path("results")).as("each worker ran it once").hasSize(5);
    h.path("results").forEach(r -> assertThat(r.path("attempt").asInt()).isEqualTo(1));
    assertThat(h.at("/rollout/released").asInt()).isEqualTo(5);
    assertThat(overlap(h)).isEqualTo(1);
  }
}

package io.osapi.app.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code Idempotency-Key} on real processes: two controllers from the jar on one nats-server agree
 * on a key (sent to both at once, it is one job; a repeat on either is replayed; another body is
 * 422), and {@code osapi job submit} retries through a NATS restart with its key and creates one
 * job, which a second submit with the same key is answered again.
 */
@Timeout(300)
class IdempotencyIT {
  private static final String BODY = "{\"operation\":{\"type\":\"diag.echo\","
      + "\"data\":{\"idem\":1}}}";

  @TempDir Path dir;

  private static HttpResponse<String> post(Osapi c, String body, String key) {
    return Http.send("POST", c.api("/jobs"), body, Map.of("Idempotency-Key", key));
  }

  private static int total(Osapi c) {
    return Http.json(Http.get(c.api("/jobs?operation=diag.echo&limit=1"))).get("total").asInt();
  }

  /** Waits until the controller's index lists at least {@code n} jobs (it follows the store). */
  private static void awaitTotal(Osapi c, int n) {
    c.await("the index to list " + n + " jobs", Duration.ofSeconds(30), () -> total(c) >= n);
  }

  @Test
  void twoControllersAgreeOnAKeyAndTheCliRetriesThroughANatsRestartOnce() throws Exception {
    try (NatsServer nats = NatsServer.start(dir);
        Osapi c1 = Osapi.controller(dir, nats.url(), "--create-patience", "2s");
        Osapi c2 = Osapi.controller(dir, nats.url(), "--create-patience", "2s")) {
      c1.awaitReady();
      c2.awaitReady();

      // the same key sent to both controllers at the same time: one job
      for (int round = 0; round < 3; round++) {
        String key = "two-controllers-" + round;
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        for (Osapi c : List.of(c1, c2)) {
          answers.add(CompletableFuture.supplyAsync(() -> {
            try {
              go.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            return post(c, BODY, key);
          }));
        }
        go.countDown();
        HttpResponse<String> a = answers.get(0).get();
        HttpResponse<String> b = answers.get(1).get();
        assertThat(a.statusCode()).as(a.body()).isEqualTo(201);
        assertThat(b.statusCode()).as(b.body()).isEqualTo(201);
        assertThat(Http.json(a).get("job_id").asText())
            .isEqualTo(Http.json(b).get("job_id").asText());
        assertThat(List.of(a, b)).as("one of the two answers is the replay of the other")
            .filteredOn(r -> r.headers().firstValue("Idempotent-Replayed").isPresent())
            .hasSize(1);
      }
      awaitTotal(c1, 3);
      assertThat(total(c1)).as("three keys, three jobs").isEqualTo(3);

      // a later repeat on either controller is replayed; another body is 422
      HttpResponse<String> again = post(c2, BODY, "two-controllers-0");
      assertThat(again.headers().firstValue("Idempotent-Replayed")).contains("true");
      HttpResponse<String> other = post(c1, "{\"operation\":{\"type\":\"diag.echo\"}}",
          "two-controllers-0");
      assertThat(other.statusCode()).as(other.body()).isEqualTo(422);
      assertThat(total(c2)).isEqualTo(3);

      // the CLI through a NATS restart: it submits while NATS is down, is answered 503, and
      // submits again with the same key once NATS is back
      nats.stop();
      URI api = c1.api("");
      String controller = "http://127.0.0.1:" + c1.apiPort;
      OsProcess cli = OsProcess.start("cli-submit", dir, Map.of(), OsProcess.javaJar(
          OsProcess.jar(), "job", "submit", "--controller", controller, "--type", "diag.echo",
          "--data", "{\"via\":\"cli\"}", "--retry-for", "2m", "--json"));
      cli.await("the CLI to be answered 503 and to submit again", Duration.ofSeconds(60),
          () -> cli.stderr().contains("submitting again"));
      nats.startAgain();
      assertThat(cli.awaitExit(Duration.ofSeconds(120))).as(cli.report()).isZero();
      String id = Http.json(cli.stdout()).get("job_id").asText();
      c1.await("the CLI's job readable", Duration.ofSeconds(30),
          () -> Http.status(c1.api("/jobs/" + id)) == 200);
      awaitTotal(c1, 4);
      assertThat(total(c1)).as("one job of the CLI's submits; " + api).isEqualTo(4);

      // the same key again, by hand, through the other controller: the same job
      OsProcess repeat = OsProcess.start("cli-repeat", dir, Map.of(), OsProcess.javaJar(
          OsProcess.jar(), "job", "submit", "--controller", "http://127.0.0.1:" + c2.apiPort,
          "--type", "diag.echo", "--data", "{\"via\":\"cli\"}", "--idempotency-key",
          "cli-fixed", "--json"));
      assertThat(repeat.awaitExit(Duration.ofSeconds(60))).as(repeat.report()).isZero();
      OsProcess repeat2 = OsProcess.start("cli-repeat-2", dir, Map.of(), OsProcess.javaJar(
          OsProcess.jar(), "job", "submit", "--controller", controller,
          "--type", "diag.echo", "--data", "{\"via\":\"cli\"}", "--idempotency-key",
          "cli-fixed", "--json"));
      assertThat(repeat2.awaitExit(Duration.ofSeconds(60))).as(repeat2.report()).isZero();
      assertThat(Http.json(repeat2.stdout()).get("job_id").asText())
          .isEqualTo(Http.json(repeat.stdout()).get("job_id").asText());
      awaitTotal(c2, 5);
      assertThat(total(c2)).isEqualTo(5);
    }
  }
}

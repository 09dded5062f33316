package io.osapi.app.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.Nats;
import io.nats.client.PublishOptions;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A job whose handling hits a permanent error (its timed-out run is larger than NATS's max
 * payload) ends failed with the reason and does not stop another job's timeout from firing (real
 * nats-server, real controller and worker processes; docs/reliability.md).
 */
class PermanentErrorIT {
  private NatsServer nats;

  @RegisterExtension final ItProcesses its = new ItProcesses();

  private <T extends AutoCloseable> T keep(T c) {
    return its.keep(c);
  }

  @Test
  void aJobThatHitsAPermanentErrorEndsWithTheReasonAndOtherTimeoutsStillFire() throws Exception {
    Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "it")),
        "permanent-");
    nats = keep(NatsServer.start(dir));
    Osapi controller = keep(Osapi.controller(dir, nats.url()));
    Osapi ghost = keep(Osapi.worker(dir, nats.url(), "pe-ghost"));
    controller.awaitReady();
    ghost.awaitReady();
    ghost.kill(); // its heartbeat stays fresh for a while: jobs for it are still accepted

    // the bad job: its one run is so close to NATS's max payload that the timed-out run is over
    String bad = created(controller, "{\"operation\":{\"type\":\"diag.echo\"},"
        + "\"target\":\"pe-ghost\",\"timeout_seconds\":4}");
    Connection raw = keep(Nats.connect(nats.url()));
    long max = raw.getServerInfo().getMaxPayload();
    byte[] run = nearlyFullRun(max - 150);
    JetStream js = raw.jetStream();
    js.publish("$KV.osapi-jobs.runs." + bad + ".pe-ghost", run,
        PublishOptions.builder().expectedLastSubjectSequence(0).build());

    // the other job: a real worker runs it past its timeout
    Osapi worker = keep(Osapi.worker(dir, nats.url(), "pe-w1"));
    worker.awaitReady();
    String good = created(controller, "{\"operation\":{\"type\":\"diag.sleep\",\"data\":"
        + "{\"seconds\":40}},\"target\":\"pe-w1\",\"timeout_seconds\":6}");
    long created = System.nanoTime();

    // the positive control: the good job's timeout fires, well before its sleep ends
    controller.await("the good job to time out", Duration.ofSeconds(30),
        () -> "failed".equals(controller.status(good)));
    assertThat(Duration.ofNanos(System.nanoTime() - created)).isLessThan(Duration.ofSeconds(20));
    JsonNode g = controller.job(good);
    assertThat(g.path("error").asText()).isEqualTo("did not respond within 6s");

    // the bad job ended too, failed with the store's reason, not retried as an outage
    controller.await("the bad job to end", Duration.ofSeconds(30),
        () -> "failed".equals(controller.status(bad)));
    JsonNode b = controller.job(bad);
    assertThat(b.path("error").asText())
        .startsWith("did not respond within 4s; the run's history was dropped: NATS refused"
            + " writing a run of job " + bad)
        .contains("more than the NATS server's max payload (" + max + " bytes)");
    assertThat(controller.metric("osapi_job_runs_timed_out_total", "operation=\"diag.echo\""))
        .isEqualTo(1);
    assertThat(controller.report()).doesNotContain("failed (delivery");
  }

  private static String created(Osapi controller, String body) {
    HttpResponse<String> r = Http.send("POST", controller.api("/jobs"), body);
    assertThat(r).isNotNull();
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return Http.json(r).get("job_id").asText();
  }

  /**
   * A released run, as a worker that handed the job back with a long error would leave it, whose
   * JSON is {@code size} bytes.
   */
  private static byte[] nearlyFullRun(long size) {
    String now = Instant.now().toString();
    String head = "{\"v\":2,\"state\":\"released\",\"worker\":\"pe-ghost\",\"attempt\":1,"
        + "\"started\":\"" + now + "\",\"error\":\"busy\",\"timeline\":[{\"time\":\"" + now
        + "\",\"event\":\"released\",\"worker\":\"pe-ghost\",\"message\":\"handed back\","
        + "\"error\":\"";
    String tail = "\"}]}";
    int pad = (int) (size - head.length() - tail.length());
    return (head + "x".repeat(pad) + tail).getBytes(StandardCharsets.UTF_8);
  }
}

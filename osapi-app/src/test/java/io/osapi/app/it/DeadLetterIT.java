package io.osapi.app.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A job whose deliveries run out on workers killed while running it ends failed, dead-lettered
 * with a reason, and is counted once across two controllers (real nats-server, real processes;
 * docs/reliability.md).
 */
class DeadLetterIT {
  private static final String[] WORKER_FLAGS =
      {"--concurrency", "1", "--ack-wait", "2s", "--max-deliver", "2"};

  private NatsServer nats;

  @RegisterExtension final ItProcesses its = new ItProcesses();

  private <T extends AutoCloseable> T keep(T c) {
    return its.keep(c);
  }

  @Test
  void deliveriesRunningOutOnKilledWorkersFailTheJobOnce() throws Exception {
    Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "it")),
        "dead-letter-");
    nats = keep(NatsServer.start(dir));
    Osapi c1 = keep(Osapi.controller(dir, nats.url()));
    Osapi c2 = keep(Osapi.controller(dir, nats.url()));
    Osapi wa = keep(Osapi.worker(dir, nats.url(), "dl-wa", WORKER_FLAGS));
    for (Osapi p : List.of(c1, c2, wa)) {
      p.awaitReady();
    }
    String id = c1.submit("diag.sleep", "{\"seconds\":120}");
    assertThat(id).isNotNull();
    killWhileRunning(c1, wa, id, "dl-wa");
    // delivery 2 (after wa's ack wait) goes to wb, which takes the run over and is killed too
    Osapi wb = keep(Osapi.worker(dir, nats.url(), "dl-wb", WORKER_FLAGS));
    wb.awaitReady();
    killWhileRunning(c1, wb, id, "dl-wb");
    // a live worker pulls, so the server finds the deliveries used up and reports them
    Osapi wc = keep(Osapi.worker(dir, nats.url(), "dl-wc", WORKER_FLAGS));
    wc.awaitReady();
    c1.await("the job to end", Duration.ofSeconds(60),
        () -> Osapi.TERMINAL.contains(String.valueOf(c1.status(id))));
    JsonNode d = c2.job(id);
    assertThat(d.path("status").asText()).as(d.toString()).isEqualTo("failed");
    assertThat(d.path("error").asText())
        .isEqualTo("gave up after 2 deliveries: worker dl-wb did not finish it");
    assertThat(d.path("timeline").findValuesAsText("message"))
        .contains("dead-lettered: gave up after 2 deliveries: worker dl-wb did not finish it");
    OsProcess.sleep(4000); // past two more ack waits: a second count would show now
    double dead = counter(c1) + counter(c2);
    assertThat(dead).as("osapi_jobs_dead_lettered_total over both controllers").isEqualTo(1);
    double ranOnWc = wc.metric("osapi_jobs_completed_total", "operation=\"diag.sleep\"");
    assertThat(Double.isNaN(ranOnWc) ? 0 : ranOnWc).as("runs on the third worker").isZero();
    assertThat(c1.status(id)).isEqualTo("failed");
  }

  private static void killWhileRunning(Osapi controller, Osapi worker, String id, String wid) {
    controller.await(wid + " to run the job", Duration.ofSeconds(30), () -> {
      JsonNode d = controller.job(id);
      return d != null && "running".equals(d.at("/workers/" + wid + "/state").asText());
    });
    worker.kill();
  }

  private static double counter(Osapi p) {
    double v = p.metric("osapi_jobs_dead_lettered_total", "operation=\"diag.sleep\"");
    return Double.isNaN(v) ? 0 : v;
  }
}

package io.osapi.app.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The age of the queue per operation on real processes: with the only worker stopped, {@code
 * osapi_job_queue_oldest_age_seconds{operation="diag.echo"}} grows and {@code
 * osapi_jobs_pending{operation="diag.echo"}} counts the jobs waiting, on every controller (each
 * reads its own job index); once a worker drains them both return to 0. The labels are the
 * registered operations and {@code other}, nothing else.
 */
class QueueAgeIT {
  private static final String ECHO = "operation=\"diag.echo\"";

  @RegisterExtension final ItProcesses its = new ItProcesses();

  private <T extends AutoCloseable> T keep(T c) {
    return its.keep(c);
  }

  @Test
  void theOldestAgeGrowsWhileNoWorkerRunsAndReturnsToZeroOnceDrained() throws Exception {
    Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "it")),
        "queue-age-");
    NatsServer nats = keep(NatsServer.start(dir));
    Osapi c1 = keep(Osapi.controller(dir, nats.url()));
    c1.awaitReady();
    Osapi c2 = keep(Osapi.controller(dir, nats.url()));
    c2.awaitReady();
    Osapi w = keep(Osapi.worker(dir, nats.url(), "qa-1"));
    w.awaitReady();
    // positive control: a job runs, and the gauges are there at 0 for every registered operation
    String first = c1.submit("diag.echo", "{}");
    c1.awaitEnded(List.of(first), Duration.ofSeconds(30));
    c1.await("the gauges at 0", Duration.ofSeconds(10),
        () -> c1.metric("osapi_job_queue_oldest_age_seconds", ECHO) == 0
            && c1.metric("osapi_jobs_pending", ECHO) == 0
            && c1.metric("osapi_jobs_pending", "operation=\"diag.sleep\"") == 0
            && c1.metric("osapi_jobs_pending", "operation=\"other\"") == 0);

    w.close(); // the only worker stops
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ids.add(c1.submit("diag.echo", "{\"i\":" + i + "}"));
    }
    assertThat(ids).doesNotContainNull();
    for (Osapi c : List.of(c1, c2)) {
      c.await("3 pending on " + c, Duration.ofSeconds(10),
          () -> c.metric("osapi_jobs_pending", ECHO) == 3);
    }
    c1.await("the oldest age to pass 2 s", Duration.ofSeconds(20),
        () -> c1.metric("osapi_job_queue_oldest_age_seconds", ECHO) >= 2);
    double a = c1.metric("osapi_job_queue_oldest_age_seconds", ECHO);
    c1.await("the oldest age to keep growing", Duration.ofSeconds(20),
        () -> c1.metric("osapi_job_queue_oldest_age_seconds", ECHO) >= a + 2);
    assertThat(c2.metric("osapi_job_queue_oldest_age_seconds", ECHO)).isGreaterThanOrEqualTo(a);
    assertThat(c1.metric("osapi_jobs_pending", "operation=\"diag.sleep\"")).isZero();
    assertThat(c1.scrape()).doesNotContain("operation=\"qa-");

    Osapi w2 = keep(Osapi.worker(dir, nats.url(), "qa-2"));
    w2.awaitReady();
    c1.awaitEnded(ids, Duration.ofSeconds(30));
    for (Osapi c : List.of(c1, c2)) {
      c.await("the queue drained on " + c, Duration.ofSeconds(10),
          () -> c.metric("osapi_jobs_pending", ECHO) == 0
              && c.metric("osapi_job_queue_oldest_age_seconds", ECHO) == 0);
    }
  }
}

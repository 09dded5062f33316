package io.osapi.adapter.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.osapi.core.contract.Fixtures;
import io.osapi.core.domain.Job;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobNotification;
import io.osapi.core.domain.JobOutcome;
import io.osapi.core.domain.JobRecord;
import io.osapi.core.domain.JobStatus;
import io.osapi.core.domain.Operation;
import io.osapi.core.domain.OperationKind;
import io.osapi.core.domain.RevisionConflictException;
import io.osapi.core.domain.Run;
import io.osapi.core.domain.RunKey;
import io.osapi.core.domain.RunState;
import io.osapi.core.domain.Target;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Faults with workers running: the server killed and restarted, a worker abandoning a job, a
 * publish retried. (Connection-level faults: {@link NatsConnectionIT}.)
 */
class NatsFaultIT {
  @RegisterExtension final CloseAfterEach closer = new CloseAfterEach();

  private <T extends AutoCloseable> T closeLater(T c) {
    return closer.later(c);
  }

  @Test
  void serverKilledAndRestartedWhileJobsAreInFlight() throws Exception {
    NatsServerProcess server = closeLater(NatsServerProcess.start());
    Fleet fleet = closeLater(new Fleet(NatsTestSupport.settings(server).build()));
    Fleet.Worker w1 = fleet.start("w1", Map.of(), Duration.ofSeconds(3), 4);
    Fleet.Worker w2 = fleet.start("w2", Map.of(), Duration.ofSeconds(3), 4);
    List<JobId> ids = new ArrayList<>();
    for (int i = 0; i < 120; i++) {
      ids.add(fleet.create("diag.sleep", "{\"seconds\":0.2}", "_any"));
    }
    // 120 jobs of 0.2 s on 8 slots take about 3 s: kill the server once a few are done
    assertThat(NatsTestSupport.eventually(Duration.ofSeconds(20),
        () -> countCompleted(fleet, ids) >= 10)).isTrue();
    int doneBefore = countCompleted(fleet, ids);
    server.kill9();
    assertThat(NatsTestSupport.eventually(Duration.ofSeconds(5), () -> !fleet.client.isConnected()))
        .isTrue();
    Thread.sleep(1000); // the fault itself: the server stays down for a second
    server.restart();

    boolean allDone;
    try {
      allDone = fleet.awaitCompletedSomewhere(ids, Duration.ofSeconds(60));
    } catch (RuntimeException e) {
      System.err.println("SERVER LOG\n" + server.log());
      try (NatsBackend fresh = NatsTestSupport.backend(server)) {
        System.err.println("FRESH DIAG " + NatsTestSupport.diagnose(fresh, ids));
      }
      dumpThreads();
      throw e;
    }
    if (!allDone) {
      System.err.println("DIAG " + NatsTestSupport.diagnose(fleet.client, ids));
      System.err.println("SERVER LOG\n" + server.log());
    }
    assertThat(allDone).as("every job completed after the restart").isTrue();
    assertThat(doneBefore).as("the server died with jobs still to do").isLessThan(ids.size());
    assertThat(NatsTestSupport.streamMessages(fleet.client)).as("one notification per job")
        .isEqualTo(ids.size());
    fleet.assertCompletedExactlyOnce(ids);
    // workers cut off mid-job recorded "released" once back, so no job looks still processing
    assertThat(fleet.await(ids, JobStatus.COMPLETED, Duration.ofSeconds(15)))
        .as("computed status completed: %s", NatsTestSupport.diagnose(fleet.client, ids))
        .isTrue();

    for (MetricsTap m : List.of(fleet.clientMetrics, w1.metrics(), w2.metrics())) {
      assertThat(m.connectedTransitions()).containsExactly(0, 1, 0, 1);
      assertThat(m.recorded.connected()).isEqualTo(1);
      assertThat(m.recorded.reconnects()).isEqualTo(1);
    }
    assertThat(fleet.client.isReady()).isTrue();
  }

  private static int countCompleted(Fleet fleet, List<JobId> ids) {
    int n = 0;
    var statuses = Fixtures.statuses(fleet.client.store());
    for (JobId id : ids) {
      if (statuses.get(id) == JobStatus.COMPLETED) {
        n++;
      }
    }
    return n;
  }

  @Test
  void aJobAbandonedByAWorkerIsRedeliveredAndCompletedByAnother() throws Exception {
    NatsServerProcess server = closeLater(NatsServerProcess.start());
    Fleet fleet = closeLater(new Fleet(NatsTestSupport.settings(server).build()));
    Fleet.Worker a = fleet.start("a", Map.of(), Duration.ofSeconds(2), 1);
    JobId job = fleet.create("diag.sleep", "{\"seconds\":3}", "_any");
    assertThat(
            NatsTestSupport.eventually(
                Duration.ofSeconds(10),
                () ->
                    fleet.runs(job).values().stream()
                        .anyMatch(r -> r.state() == RunState.RUNNING && "a".equals(r.worker()))))
        .as("worker a started the job")
        .isTrue();
    Fleet.Worker b = fleet.start("b", Map.of(), Duration.ofSeconds(2), 1);

    a.backend().close(); // a dies mid-job: its delivery is never settled

    assertThat(fleet.awaitFinishedBy(job, Set.of("b"), Duration.ofSeconds(20)))
        .as("worker b finished the abandoned job")
        .isTrue();
    // a's 3 s operation ends within the next 3.5 s: all that time b's result stays the only one
    // (no positive control here: a's backend is closed, so nothing of a's can be observed)
    Awaitility.await().during(Duration.ofMillis(3500)).atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> fleet.terminalBy(job), m -> m.equals(Map.of("b", 1)));
    Run run = fleet.runs(job).get(RunKey.any(job));
    assertThat(run.worker()).isEqualTo("b");
    assertThat(run.state()).isEqualTo(RunState.COMPLETED);
    assertThat(run.attempt()).as("taken over on the second delivery").isEqualTo(2);
    assertThat(b.metrics().recorded.finished(JobOutcome.COMPLETED)).isEqualTo(1);
    assertThat(b.metrics().recorded.redeliveries("diag.sleep")).isEqualTo(1);
    assertThat(fleet.jobs.get(job).orElseThrow().status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(fleet.jobs.get(job).orElseThrow().workers().get("b").state())
        .isEqualTo(RunState.COMPLETED);
  }

  @Test
  void aRetriedPublishIsDeduplicated() throws Exception {
    NatsServerProcess server = closeLater(NatsServerProcess.start());
    Fleet fleet = closeLater(new Fleet(NatsTestSupport.settings(server).build()));
    NatsBackend b = fleet.client;
    JobRecord record = JobRecord.submitted(
        new Job(
            JobId.generate(Clock.systemUTC()),
            new Operation("diag.echo", "{\"once\":true}"),
            OperationKind.QUERY,
            Target.parse("_any"),
            Instant.now().truncatedTo(ChronoUnit.MILLIS)),
        List.of());
    JobId id = record.job().id();
    b.store().create(record).get();
    b.queue().publish(JobNotification.of(record)).get();
    // the caller did not see the first ack and tried again
    b.queue().publish(JobNotification.of(record)).get();
    assertThat(catchThrowable(() -> b.store().create(record).get()))
        .hasCauseInstanceOf(RevisionConflictException.class);
    assertThat(NatsTestSupport.streamMessages(b)).isEqualTo(1);

    fleet.start("w1");
    assertThat(fleet.awaitFinishedBy(id, Set.of("w1"), Duration.ofSeconds(10))).isTrue();
    // the control: a job published after the repeat is run by w1; a second delivery of the
    // repeated one would have come before it
    JobId control = fleet.create("diag.echo", "{}", "_any");
    assertThat(fleet.awaitFinishedBy(control, Set.of("w1"), Duration.ofSeconds(10))).isTrue();
    assertThat(fleet.completedBy(id)).isEqualTo(Map.of("w1", 1));
    assertThat(Fixtures.statuses(b.store())).containsOnlyKeys(id, control);
    assertThat(b.store().find(id).orElseThrow().value()).isEqualTo(record);
  }

  /**
   * A run read without holding the caller, sent while the server is gone: its first attempt gets
   * no answer, and it ends as an outage (the way on retries on the given executor); with that
   * executor closed it ends at once rather than never.
   */
  @Test
  void aRunReadWithoutHoldingTheCallerEndsAsAnOutageWhenTheServerIsGone() throws Exception {
    NatsServerProcess server = closeLater(NatsServerProcess.start());
    NatsBackend b = closeLater(NatsTestSupport.backend(NatsTestSupport.settings(server).build()));
    RunKey key = RunKey.any(JobId.generate(Clock.systemUTC()));
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newSingleThreadExecutor();
    try {
      assertThat(b.store().runAsync(key, pool).get(10, java.util.concurrent.TimeUnit.SECONDS))
          .as("positive control: answered while the server is up").isEmpty();
      server.kill9();
      // the way on retries on the pool, within the bound while not connected
      Throwable retried = catchThrowable(
          () -> b.store().runAsync(key, pool).get(10, java.util.concurrent.TimeUnit.SECONDS));
      assertThat(retried).hasCauseInstanceOf(
          io.osapi.core.domain.BackendUnavailableException.class);
      pool.shutdownNow();
      Throwable closed = catchThrowable(
          () -> b.store().runAsync(key, pool).get(10, java.util.concurrent.TimeUnit.SECONDS));
      assertThat(closed).as("the executor closed: the read ends, not waits for ever")
          .hasCauseInstanceOf(io.osapi.core.domain.BackendUnavailableException.class);
    } finally {
      pool.shutdownNow();
    }
  }

  private static void dumpThreads() {
    for (var en : Thread.getAllStackTraces().entrySet()) {
      StringBuilder sb = new StringBuilder("THREAD " + en.getKey().getName() + "\n");
      for (StackTraceElement el : en.getValue()) {
        sb.append("    at ").append(el).append('\n');
      }
      System.err.print(sb);
    }
  }
}

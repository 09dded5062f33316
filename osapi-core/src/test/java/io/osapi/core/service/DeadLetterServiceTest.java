package io.osapi.core.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.osapi.core.domain.ConsumerSpec;
import io.osapi.core.domain.ExhaustedDelivery;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobStatus;
import io.osapi.core.domain.JobView;
import io.osapi.core.domain.Run;
import io.osapi.core.domain.RunKey;
import io.osapi.core.domain.RunState;
import io.osapi.core.domain.SettleLaterException;
import io.osapi.core.domain.Versioned;
import io.osapi.core.domain.WorkerInfo;
import io.osapi.core.operations.BuiltinOperations;
import io.osapi.core.port.Delivery;
import io.osapi.core.port.JobConsumer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The dead-letter handler gives up on a job only when no live process still runs it: the queue's
 * report that a job's deliveries ran out does not prove that (in a NATS cluster a consumer's new
 * leader works from the delivery state it took over, which can lag; NatsClusterIT's frozen-node
 * case once failed a job 3 ms after its fifth delivery had started on a worker).
 */
class DeadLetterServiceTest {
  private static final Duration T = Duration.ofSeconds(20);
  private static final Duration RECHECK = Duration.ofMillis(100);

  @Test
  void aRunHeldByALiveWorkerIsLeftToItUntilThatWorkerIsGone() throws Exception {
    try (Harness h = new Harness(BuiltinOperations.registry())) {
      DeadLetterService dl = service(h);
      Instant processStart = Instant.now().minusSeconds(5);
      JobId id = claimed(h, "w-live", Instant.now().minusSeconds(1));
      // its heartbeat since the claim lists the job among those it runs
      entry(h, "w-live", processStart, Instant.now(), List.of(id));

      SettleLaterException later = assertHeld(dl, id);
      assertThat(later).hasMessageContaining("still runs on live worker w-live");
      assertThat(later.after()).isEqualTo(RECHECK);
      assertThat(run(h, id).state()).isEqualTo(RunState.RUNNING);
      assertThat(h.metrics.deadLettered("diag.echo")).isZero();

      // its process gone (the entry removed or expired): now it is given up on
      h.broker.registry().deregister("w-live");
      assertThat(dl.handle(new ExhaustedDelivery(id, null, 5))).isTrue();
      Run ended = run(h, id);
      assertThat(ended.state()).isEqualTo(RunState.FAILED);
      assertThat(ended.deadLettered()).isTrue();
      assertThat(ended.error()).isEqualTo("gave up after 5 deliveries: worker w-live did not"
          + " finish it");
      assertThat(h.metrics.deadLettered("diag.echo")).isEqualTo(1);
    }
  }

  @Test
  void aHeldJobIsLoggedAtInfoOnceThenAtDebug() throws Exception {
    Logger jul = Logger.getLogger(DeadLetterService.class.getName());
    List<LogRecord> logged = new CopyOnWriteArrayList<>();
    Handler capture = new Handler() {
      @Override
      public void publish(LogRecord r) {
        logged.add(r);
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    java.util.logging.Level before = jul.getLevel();
    jul.setLevel(java.util.logging.Level.ALL);
    capture.setLevel(java.util.logging.Level.ALL);
    jul.addHandler(capture);
    try (Harness h = new Harness(BuiltinOperations.registry())) {
      DeadLetterService dl = service(h);
      Instant processStart = Instant.now().minusSeconds(5);
      JobId id = claimed(h, "w-live", Instant.now().minusSeconds(1));
      entry(h, "w-live", processStart, Instant.now(), List.of(id));
      for (int i = 0; i < 3; i++) {
        assertHeld(dl, id);
      }
      assertThat(levels(logged, id)).containsExactly(java.util.logging.Level.INFO,
          java.util.logging.Level.FINE, java.util.logging.Level.FINE);
      // another job held: told at INFO in its turn
      JobId next = claimed(h, "w-live", Instant.now().minusSeconds(1));
      entry(h, "w-live", processStart, Instant.now(), List.of(id, next));
      assertHeld(dl, next);
      assertThat(levels(logged, next)).containsExactly(java.util.logging.Level.INFO);
    } finally {
      jul.removeHandler(capture);
      jul.setLevel(before);
    }
  }

  /** The levels of the "looked at again" lines about {@code id}. */
  private static List<java.util.logging.Level> levels(List<LogRecord> logged, JobId id) {
    return logged.stream()
        .filter(r -> r.getParameters() != null && r.getParameters().length > 0
            && id.equals(r.getParameters()[0]) && r.getMessage().contains("looked"))
        .map(LogRecord::getLevel).toList();
  }

  @Test
  void aWorkerRestartedSinceItsClaimDoesNotHoldTheRun() throws Exception {
    try (Harness h = new Harness(BuiltinOperations.registry())) {
      DeadLetterService dl = service(h);
      Instant claimedAt = Instant.now().minusSeconds(10);
      JobId id = claimed(h, "w-restarted", claimedAt);
      // the same id, a process started after the claim: it does not run what the last one took
      entry(h, "w-restarted", claimedAt.plusSeconds(5), Instant.now(), List.of());
      assertDeadLettered(dl, h, id);
    }
  }

  @Test
  void aReleasedRunIsGivenUpOnEvenWhileItsWorkerLives() throws Exception {
    try (Harness h = new Harness(BuiltinOperations.registry())) {
      DeadLetterService dl = service(h);
      JobId id = claimed(h, "w-live", Instant.now().minusSeconds(1));
      entry(h, "w-live", Instant.now().minusSeconds(5), Instant.now(), List.of(id));
      Versioned<Run> held = h.broker.store().run(RunKey.any(id)).orElseThrow();
      h.broker.store().putRun(RunKey.any(id),
          held.value().release("handed back", Instant.now()), held.revision()).get();
      assertDeadLettered(dl, h, id);
    }
  }

  @Test
  void aRunItsLiveWorkerNoLongerRunsIsGivenUpOnAndOneClaimedSinceItsLastHeartbeatIsNot()
      throws Exception {
    try (Harness h = new Harness(BuiltinOperations.registry())) {
      DeadLetterService dl = service(h);
      Instant processStart = Instant.now().minusSeconds(5);
      // claimed after the entry was written: the entry cannot tell yet, so the job waits
      Instant heartbeat = Instant.now().minusSeconds(2);
      JobId id = claimed(h, "w-live", Instant.now().minusSeconds(1));
      entry(h, "w-live", processStart, heartbeat, List.of());
      assertThat(assertHeld(dl, id)).hasMessageContaining("after its last heartbeat");
      // a heartbeat since the claim that does not list it: the worker handed the job back (or
      // could not record its end) and lives on; the job is given up on
      entry(h, "w-live", processStart, Instant.now(), List.of());
      assertDeadLettered(dl, h, id);
    }
  }

  @Test
  void anOlderWorkersEntryHoldsTheRunOnlyWhileItCountsJobsRunning() throws Exception {
    try (Harness h = new Harness(BuiltinOperations.registry())) {
      DeadLetterService dl = service(h);
      Instant processStart = Instant.now().minusSeconds(5);
      JobId id = claimed(h, "w-old", Instant.now().minusSeconds(1));
      entry(h, "w-old", processStart, Instant.now(), null); // one job running, without saying which
      assertHeld(dl, id);
      h.broker.registry().heartbeat(new WorkerInfo("w-old", Map.of(), processStart, Instant.now(),
          0, 4));
      assertDeadLettered(dl, h, id);
    }
  }

  /**
   * Through the queue: a job whose only delivery ran out while a live worker still runs it ends as
   * that worker ends it; beside it (the positive control) a job held by a worker with no live
   * entry is dead-lettered by the same service within the same time.
   */
  @Test
  void throughTheQueueTheLiveWorkersJobCompletesAndTheDeadWorkersIsDeadLettered()
      throws Exception {
    try (Harness h = new Harness(BuiltinOperations.registry())) {
      Instant processStart = Instant.now().minusSeconds(5);
      JobId live = h.client.create(CreateJobRequest.of("diag.echo")).job().id();
      JobId dead = h.client.create(CreateJobRequest.of("diag.echo")).job().id();
      // one delivery each (max deliver 1), claimed and never acknowledged
      JobConsumer c = h.broker.queue().consumer(
          new ConsumerSpec("w-live", Map.of(), Duration.ofMillis(200), 1));
      List<Delivery> got = new ArrayList<>();
      Awaitility.await().atMost(T).until(() -> {
        got.addAll(c.fetch(2, Duration.ofMillis(100)));
        return got.size() >= 2;
      });
      claim(h, live, "w-live", Instant.now().minusMillis(10));
      claim(h, dead, "w-dead", Instant.now().minusMillis(10));
      c.close();
      entry(h, "w-live", processStart, Instant.now(), List.of(live));

      DeadLetterService dl = service(h);
      dl.start();
      try {
        JobView control = h.awaitEnd(dead, T);
        assertThat(control.status()).isEqualTo(JobStatus.FAILED);
        assertThat(control.error()).isEqualTo("gave up after 1 deliveries: worker w-dead did not"
            + " finish it");
        // the live worker's job is looked at again every 100 ms and left running meanwhile
        Awaitility.await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
            .until(() -> run(h, live).state() == RunState.RUNNING);
        // its worker ends it: the job is completed, and later looks change nothing
        Versioned<Run> held = h.broker.store().run(RunKey.any(live)).orElseThrow();
        h.broker.store().putRun(RunKey.any(live), held.value().finish(RunState.COMPLETED,
            "{\"n\":1}", null, false, Instant.now()), held.revision()).get();
        JobView v = h.awaitEnd(live, T);
        assertThat(v.status()).isEqualTo(JobStatus.COMPLETED);
        Awaitility.await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(3))
            .until(() -> run(h, live).state() == RunState.COMPLETED);
        assertThat(h.metrics.deadLettered("diag.echo")).isEqualTo(1);
      } finally {
        dl.close();
      }
    }
  }

  /** A report of {@code id}'s five deliveries is answered "later"; the run stays running. */
  private static SettleLaterException assertHeld(DeadLetterService dl, JobId id) {
    SettleLaterException later = catchThrowableOfType(
        () -> dl.handle(new ExhaustedDelivery(id, null, 5)), SettleLaterException.class);
    assertThat(later).as("held for its worker").isNotNull();
    return later;
  }

  /** A report of {@code id}'s five deliveries dead-letters it now. */
  private static void assertDeadLettered(DeadLetterService dl, Harness h, JobId id) {
    assertThat(dl.handle(new ExhaustedDelivery(id, null, 5))).isTrue();
    Run r = run(h, id);
    assertThat(r.state()).isEqualTo(RunState.FAILED);
    assertThat(r.deadLettered()).isTrue();
  }

  private static DeadLetterService service(Harness h) {
    return new DeadLetterService(h.broker.store(), h.broker.queue(), h.broker.registry(),
        h.metrics, Clock.systemUTC(), RECHECK);
  }

  /**
   * A live entry of {@code worker}: a heartbeat at {@code at} from a process started at {@code
   * processStart}, running {@code running} (null: an older osapi's entry, which does not tell).
   */
  private static void entry(Harness h, String worker, Instant processStart, Instant at,
      List<JobId> running) {
    h.broker.registry().heartbeat(new WorkerInfo(worker, Map.of(), processStart, at,
        running == null ? 1 : running.size(), 4, null, null, null, null, null, running));
  }

  /** A new job whose run {@code worker} claimed at {@code at}. */
  private static JobId claimed(Harness h, String worker, Instant at) throws Exception {
    JobId id = h.client.create(CreateJobRequest.of("diag.echo")).job().id();
    claim(h, id, worker, at);
    return id;
  }

  private static void claim(Harness h, JobId id, String worker, Instant at) throws Exception {
    h.broker.store().putRun(RunKey.any(id), Run.claim(null, worker, 1, at), 0).get();
  }

  private static Run run(Harness h, JobId id) {
    return h.broker.store().run(RunKey.any(id)).orElseThrow().value();
  }
}

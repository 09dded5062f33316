package io.osapi.core.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.osapi.core.domain.ConsumerSpec;
import io.osapi.core.domain.EventType;
import io.osapi.core.domain.Job;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobOutcome;
import io.osapi.core.domain.JobStatus;
import io.osapi.core.domain.JobView;
import io.osapi.core.domain.Operation;
import io.osapi.core.domain.OperationKind;
import io.osapi.core.domain.OperationRegistry;
import io.osapi.core.domain.Target;
import io.osapi.core.domain.TransientOperationException;
import io.osapi.core.operations.BuiltinOperations;
import io.osapi.core.port.Delivery;
import io.osapi.core.port.JobConsumer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class WorkerServiceTest {
  private static final Duration T = Duration.ofSeconds(20);

  @Test
  void thousandJobsThroughFourSlotsAreCountedExactly() {
    try (Harness h = new Harness(BuiltinOperations.registry())) {
      h.worker(Harness.config("w1", 4));
      List<JobId> ids = new ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        String type = i % 10 == 0 ? "diag.fail" : "diag.echo";
        ids.add(h.client.create(new CreateJobRequest(type, "{\"i\":" + i + "}", null)).job().id());
      }
      Harness.awaitTrue(T, () -> h.metrics.finished(JobOutcome.COMPLETED)
          + h.metrics.finished(JobOutcome.FAILED) == 1000);
      assertThat(h.metrics.createdTotal()).isEqualTo(1000);
      assertThat(h.metrics.created("diag.echo")).isEqualTo(900);
      assertThat(h.metrics.finished(JobOutcome.COMPLETED, "diag.echo")).isEqualTo(900);
      assertThat(h.metrics.finished(JobOutcome.FAILED, "diag.fail")).isEqualTo(100);
      Harness.awaitTrue(T, () -> h.metrics.active() == 0);
      assertThat(h.metrics.maxActive()).isBetween(1, 4);
      assertThat(h.metrics.processedByWorker()).containsExactly(Map.entry("w1", 1000L));
      assertThat(h.metrics.queueWaits()).hasSize(1000);
      assertThat(h.metrics.durations()).hasSize(1000);
      assertThat(h.metrics.redeliveries()).isZero();
      assertThat(h.client.stats().byStatus().get(JobStatus.COMPLETED)).isEqualTo(900);
      assertThat(h.client.stats().byStatus().get(JobStatus.FAILED)).isEqualTo(100);
      JobView v = h.client.get(ids.get(1)).orElseThrow();
      assertThat(v.result()).isEqualTo("{\"i\":1}");
      assertThat(v.timeline()).extracting(t -> t.event())
          .containsExactly("submitted", "acknowledged", "started", "completed");
    }
  }

  @Test
  void aJobWhoseWorkerNeverAcksIsRedeliveredAndCounted() throws Exception {
    try (Harness h = new Harness(BuiltinOperations.registry())) {
      Duration ackWait = Duration.ofMillis(300);
      // a worker that takes the job and dies without acking
      JobConsumer crashed = h.broker.queue().consumer(new ConsumerSpec("dead", Map.of(), ackWait, 5));
      JobId id = h.client.create(CreateJobRequest.of("diag.echo")).job().id();
      List<Delivery> taken = crashed.fetch(1, Duration.ofSeconds(2));
      assertThat(taken).hasSize(1);
      crashed.close();
      h.worker(Harness.config("w1", 2).withDelivery(ackWait, 5, Duration.ofMillis(50)));
      JobView v = h.awaitEnd(id, T);
      assertThat(v.status()).isEqualTo(JobStatus.COMPLETED);
      assertThat(h.metrics.redeliveries("diag.echo")).isEqualTo(1);
      assertThat(h.metrics.queueWaits()).isEmpty(); // only first deliveries measure queue wait
    }
  }

  @Test
  void aJobFinishedByAWorkerWhoseAckWasLostDoesNotRunAgainElsewhere() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    OperationRegistry ops = counting(runs);
    try (Harness h = new Harness(ops)) {
      Duration ackWait = Duration.ofMillis(300);
      // the first worker finished and wrote its outcome, then lost its connection before the ack
      JobId id = takenAndAbandoned(h, "test.count", "w-lost", EventType.COMPLETED, ackWait);
      h.worker(Harness.config("w2", 1).withDelivery(ackWait, 5, Duration.ofMillis(50)));
      Harness.awaitTrue(T, () -> h.metrics.redeliveries("test.count") == 1);
      Harness.awaitTrue(T, () -> h.broker.queue().backlog().ackPending() == 0);
      sleep(300);
      assertThat(runs).hasValue(0);
      assertThat(h.client.get(id).orElseThrow().status()).isEqualTo(JobStatus.COMPLETED);
    }
  }

  @Test
  void anOldFirstDeliveryIsCheckedForAnEarlierRunUnlessTheQueueKnowsItIsFresh() throws Exception {
    for (boolean fresh : new boolean[] {false, true}) {
      AtomicInteger runs = new AtomicInteger();
      OperationRegistry ops = counting(runs);
      try (Harness h = new Harness(ops)) {
        JobId id = h.client.create(CreateJobRequest.of("test.count")).job().id();
        // a finished run the queue does not know of (as after a server restart), and a
        // notification older than the repeat-check age
        h.broker.store().appendEvent(new io.osapi.core.domain.StatusEvent(id, EventType.COMPLETED,
            "w-before", Instant.now(), Map.of())).get();
        sleep(WorkerService.REPEAT_CHECK_AGE.toMillis() + 200);
        io.osapi.core.port.JobQueue queue =
            fresh ? FreshDeliveries.wrapping(h.broker.queue()) : h.broker.queue();
        WorkerService w = new WorkerService(Harness.config("w1", 1), h.broker.store(), queue,
            h.broker.registry(), h.operations, h.metrics, Clock.systemUTC());
        h.workers.add(w);
        w.start();
        Harness.awaitTrue(T, () -> h.broker.queue().backlog().pending() == 0
            && h.broker.queue().backlog().ackPending() == 0);
        sleep(200);
        // not fresh: looked up, found finished, acknowledged without a run; fresh: no look-up
        assertThat(runs).as("runs with fresh=" + fresh).hasValue(fresh ? 1 : 0);
      }
    }
  }

  @Test
  void aJobWhoseFirstWorkerWasKilledMidJobIsCompletedNotProcessing() throws Exception {
    try (Harness h = new Harness(BuiltinOperations.registry())) {
      Duration ackWait = Duration.ofMillis(300);
      // it got as far as "started", then SIGKILL: nothing more is written
      JobId id = takenAndAbandoned(h, "diag.echo", "w-killed", EventType.STARTED, ackWait);
      h.worker(Harness.config("w2", 1).withDelivery(ackWait, 5, Duration.ofMillis(50)));
      JobView v = h.awaitEnd(id, T);
      assertThat(v.status()).isEqualTo(JobStatus.COMPLETED);
      assertThat(v.workers().get("w-killed").state()).isEqualTo(EventType.STARTED);
      assertThat(h.client.list(JobStatus.COMPLETED, 10, 0).total()).isEqualTo(1);
      assertThat(h.client.stats().byStatus().get(JobStatus.PROCESSING)).isZero();
    }
  }

  @Test
  void aPermanentFailureRunsOnce() {
    AtomicInteger runs = new AtomicInteger();
    OperationRegistry ops = OperationRegistry.builder()
        .register("test.boom", OperationKind.MODIFY, "fails", c -> {
          runs.incrementAndGet();
          throw new IllegalArgumentException("bad disk name");
        }).build();
    try (Harness h = new Harness(ops)) {
      h.worker(Harness.config("w1", 2));
      JobId id = h.client.create(CreateJobRequest.of("test.boom")).job().id();
      JobView v = h.awaitEnd(id, T);
      assertThat(v.status()).isEqualTo(JobStatus.FAILED);
      assertThat(v.error()).isEqualTo("IllegalArgumentException: bad disk name");
      sleep(300);
      assertThat(runs).hasValue(1);
      assertThat(h.metrics.redeliveries()).isZero();
      assertThat(h.metrics.deadLettered()).isZero();
      assertThat(h.metrics.finished(JobOutcome.FAILED, "test.boom")).isEqualTo(1);
    }
  }

  @Test
  void transientFailuresRetryThenDeadLetterOnce() {
    AtomicInteger runs = new AtomicInteger();
    OperationRegistry ops = OperationRegistry.builder()
        .register("test.flaky", OperationKind.QUERY, "always transient", c -> {
          runs.incrementAndGet();
          throw new TransientOperationException("resource busy");
        }).build();
    try (Harness h = new Harness(ops)) {
      h.worker(Harness.config("w1", 2)); // max deliver 3
      JobId id = h.client.create(CreateJobRequest.of("test.flaky")).job().id();
      JobView v = h.awaitEnd(id, T);
      assertThat(v.status()).isEqualTo(JobStatus.FAILED);
      assertThat(v.error()).contains("resource busy").contains("gave up after 3 deliveries");
      sleep(300);
      assertThat(runs).hasValue(3);
      assertThat(h.metrics.deadLettered("test.flaky")).isEqualTo(1);
      assertThat(h.metrics.redeliveries("test.flaky")).isEqualTo(2);
      assertThat(h.metrics.finished(JobOutcome.FAILED)).isEqualTo(1);
      assertThat(h.metrics.finished(JobOutcome.COMPLETED)).isZero();
      Harness.awaitTrue(T, () -> h.metrics.active() == 0);
    }
  }

  @Test
  void aTransientFailureThatRecoversCompletes() {
    AtomicInteger runs = new AtomicInteger();
    OperationRegistry ops = OperationRegistry.builder()
        .register("test.recover", OperationKind.QUERY, "fails once", c -> {
          if (runs.incrementAndGet() == 1) {
            throw new TransientOperationException("not yet");
          }
          return "{\"ok\":true}";
        }).build();
    try (Harness h = new Harness(ops)) {
      h.worker(Harness.config("w1", 1));
      JobId id = h.client.create(CreateJobRequest.of("test.recover")).job().id();
      assertThat(h.awaitEnd(id, T).status()).isEqualTo(JobStatus.COMPLETED);
      // counted once the outcome is written, which is after the status shows it
      Harness.awaitTrue(T, () -> h.metrics.finished(JobOutcome.COMPLETED) == 1);
      assertThat(h.metrics.finished(JobOutcome.FAILED)).isZero();
    }
  }

  @Test
  void broadcastWithOneFailingWorkerIsPartialFailure() {
    OperationRegistry ops = OperationRegistry.builder()
        .register("test.where", OperationKind.QUERY, "fails on w2", c -> {
          if (c.workerId().equals("w2")) {
            throw new IllegalStateException("not here");
          }
          return "{}";
        }).build();
    try (Harness h = new Harness(ops)) {
      h.worker(Harness.config("w1", 1));
      h.worker(Harness.config("w2", 1));
      JobId id = h.client.create(new CreateJobRequest("test.where", null, "_all")).job().id();
      Harness.awaitTrue(T, () -> h.client.get(id).orElseThrow().workers().size() == 2
          && h.client.get(id).orElseThrow().status() != JobStatus.PROCESSING);
      JobView v = h.client.get(id).orElseThrow();
      assertThat(v.status()).isEqualTo(JobStatus.PARTIAL_FAILURE);
      assertThat(v.workers().get("w1").state()).isEqualTo(EventType.COMPLETED);
      assertThat(v.workers().get("w2").state()).isEqualTo(EventType.FAILED);
    }
  }

  @Test
  void poisonIsTerminatedOnceAndTheWorkerKeepsServing() {
    try (Harness h = new Harness(BuiltinOperations.registry())) {
      h.worker(Harness.config("w1", 2));
      // a notification whose job record does not exist
      Job ghost = new Job(JobId.generate(Clock.systemUTC()), Operation.of("diag.echo"),
          OperationKind.QUERY, Target.Any.INSTANCE, Instant.now());
      h.broker.queue().publish(ghost);
      Harness.awaitTrue(T, () -> h.metrics.deadLettered("other") == 1);
      JobId ok = h.client.create(CreateJobRequest.of("diag.echo")).job().id();
      assertThat(h.awaitEnd(ok, T).status()).isEqualTo(JobStatus.COMPLETED);
      sleep(400);
      assertThat(h.metrics.deadLettered()).isEqualTo(1);
      assertThat(h.metrics.redeliveries()).isZero();
    }
  }

  @Test
  void aHandlerThrowingAnErrorFailsTheJobNotTheWorker() {
    OperationRegistry ops = OperationRegistry.builder()
        .registerAll(BuiltinOperations.registry())
        .register("test.error", OperationKind.QUERY, "throws an Error", c -> {
          throw new AssertionError("handler bug");
        }).build();
    try (Harness h = new Harness(ops)) {
      h.worker(Harness.config("w1", 1));
      JobView v = h.awaitEnd(h.client.create(CreateJobRequest.of("test.error")).job().id(), T);
      assertThat(v.status()).isEqualTo(JobStatus.FAILED);
      assertThat(v.error()).contains("handler bug");
      JobView after = h.awaitEnd(h.client.create(CreateJobRequest.of("diag.echo")).job().id(), T);
      assertThat(after.status()).isEqualTo(JobStatus.COMPLETED);
      Harness.awaitTrue(T, () -> h.metrics.active() == 0);
    }
  }

  @Test
  void aJobLongerThanAckWaitIsNotRedelivered() {
    try (Harness h = new Harness(BuiltinOperations.registry())) {
      h.worker(Harness.config("w1", 2).withDelivery(Duration.ofMillis(300), 5, Duration.ofMillis(50)));
      JobId id = h.client.create(new CreateJobRequest("diag.sleep", "{\"seconds\":1.2}", null)).job().id();
      assertThat(h.awaitEnd(id, T).status()).isEqualTo(JobStatus.COMPLETED);
      assertThat(h.metrics.redeliveries()).isZero();
      assertThat(h.client.get(id).orElseThrow().results()).hasSize(1);
    }
  }

  @Test
  void activeNeverExceedsConcurrency() {
    try (Harness h = new Harness(BuiltinOperations.registry())) {
      h.worker(Harness.config("w1", 2));
      for (int i = 0; i < 20; i++) {
        h.client.create(new CreateJobRequest("diag.sleep", "{\"seconds\":0.05}", null));
      }
      Harness.awaitTrue(T, () -> h.metrics.finished(JobOutcome.COMPLETED) == 20);
      assertThat(h.metrics.maxActive()).isEqualTo(2);
      assertThat(h.broker.queue().backlog().pending()).isZero();
    }
  }

  @Test
  void stopDrainsRunningJobsAndDeregisters() {
    try (Harness h = new Harness(BuiltinOperations.registry())) {
      WorkerService w = h.worker(Harness.config("w1", 2));
      Harness.awaitTrue(T, () -> !h.client.workers().isEmpty());
      JobId id = h.client.create(new CreateJobRequest("diag.sleep", "{\"seconds\":0.5}", null)).job().id();
      Harness.awaitTrue(T, () -> h.metrics.active() == 1);
      assertThat(w.stop(Duration.ofSeconds(5))).isTrue();
      assertThat(h.client.get(id).orElseThrow().status()).isEqualTo(JobStatus.COMPLETED);
      assertThat(h.client.workers()).isEmpty();
      assertThat(h.metrics.connectedWorkers()).isEmpty();
      assertThat(h.metrics.processedByWorker()).isEmpty();
    }
  }

  @Test
  void stopPastTheDeadlineHandsTheJobBack() {
    try (Harness h = new Harness(BuiltinOperations.registry())) {
      WorkerService w = h.worker(Harness.config("w1", 1));
      JobId id = h.client.create(new CreateJobRequest("diag.sleep", "{\"seconds\":30}", null)).job().id();
      Harness.awaitTrue(T, () -> h.metrics.active() == 1);
      assertThat(w.stop(Duration.ofMillis(200))).isFalse();
      assertThat(h.metrics.active()).isZero();
      assertThat(h.metrics.finished(JobOutcome.FAILED)).isZero();
      // the job is still there for another worker
      assertThat(h.broker.queue().backlog().pending() + h.broker.queue().backlog().ackPending())
          .isEqualTo(1);
      // handed back, waiting for a worker again: not processing by anyone
      JobView v = h.client.get(id).orElseThrow();
      assertThat(v.status()).isEqualTo(JobStatus.SUBMITTED);
      assertThat(v.workers().get("w1").state()).isEqualTo(EventType.RELEASED);
      assertThat(h.client.list(JobStatus.SUBMITTED, 10, 0).total()).isEqualTo(1);
      // another worker finishes it: the job is completed, whoever held it before
      h.worker(Harness.config("w2", 1));
      Harness.awaitTrue(T, () -> h.client.get(id).orElseThrow().workers().containsKey("w2"));
      Harness.awaitTrue(T, () -> h.metrics.active() == 1);
    }
  }

  @Test
  void aJobHandedBackAndFinishedElsewhereIsCompleted() {
    OperationRegistry ops = OperationRegistry.builder()
        .register("test.picky", OperationKind.QUERY, "only w2 can", c -> {
          if (c.workerId().equals("w1")) {
            throw new TransientOperationException("not on w1");
          }
          return "{}";
        }).build();
    try (Harness h = new Harness(ops)) {
      WorkerService w1 = h.worker(Harness.config("w1", 1));
      JobId id = h.client.create(CreateJobRequest.of("test.picky")).job().id();
      Harness.awaitTrue(T, () -> h.client.get(id).orElseThrow().workers().containsKey("w1")
          && h.client.get(id).orElseThrow().workers().get("w1").state() == EventType.RELEASED);
      w1.stop(Duration.ofSeconds(5)); // so w1 cannot use up the deliveries before w2 gets one
      h.worker(Harness.config("w2", 1));
      JobView v = h.awaitEnd(id, T);
      assertThat(v.status()).isEqualTo(JobStatus.COMPLETED);
      assertThat(h.client.list(JobStatus.COMPLETED, 10, 0).total()).isEqualTo(1);
      assertThat(h.client.stats().byStatus().get(JobStatus.PROCESSING)).isZero();
    }
  }

  @Test
  void anOutcomeThatCouldNotBeWrittenIsWrittenAgainNotRunAgain() {
    try (Harness h = new Harness(BuiltinOperations.registry())) {
      AtomicInteger resultWrites = new AtomicInteger();
      io.osapi.core.port.JobStore failingOnce =
          FailingOnceJobStore.wrapping(h.broker.store(), "putResult", resultWrites);
      WorkerService w = new WorkerService(Harness.config("w1", 1), failingOnce, h.broker.queue(),
          h.broker.registry(), h.operations, h.metrics, Clock.systemUTC());
      h.workers.add(w);
      w.start();
      JobId id = h.client.create(new CreateJobRequest("diag.echo", "{\"x\":1}", "_any"))
          .job().id();
      // the first result write failed: the worker writes the same outcome again (same keys),
      // the run is counted once, nothing is handed back and nothing runs twice
      JobView v = h.awaitEnd(id, T);
      Harness.awaitTrue(T, () -> h.metrics.active() == 0);
      assertThat(v.status()).isEqualTo(JobStatus.COMPLETED);
      assertThat(v.workers().get("w1").state()).isEqualTo(EventType.COMPLETED);
      assertThat(resultWrites.get()).isEqualTo(2);
      assertThat(h.broker.store().results(id)).hasSize(1);
      assertThat(h.metrics.finished(JobOutcome.COMPLETED, "diag.echo")).isEqualTo(1);
      assertThat(h.metrics.redeliveries("diag.echo")).isZero();
      assertThat(h.metrics.finished(JobOutcome.RELEASED)).isZero();
    }
  }

  /**
   * A new job of {@code type}, taken by a consumer of {@code worker} that writes {@code written}
   * for it and goes away without settling the delivery.
   */
  private static JobId takenAndAbandoned(
      Harness h, String type, String worker, EventType written, Duration ackWait)
      throws Exception {
    JobConsumer c = h.broker.queue().consumer(new ConsumerSpec(worker, Map.of(), ackWait, 5));
    JobId id = h.client.create(CreateJobRequest.of(type)).job().id();
    assertThat(c.fetch(1, Duration.ofSeconds(2))).hasSize(1);
    h.broker.store().appendEvent(new io.osapi.core.domain.StatusEvent(id, written, worker,
        Instant.now(), Map.of())).get();
    c.close();
    return id;
  }

  /** Operation {@code test.count} (modify), which counts its runs in {@code runs}. */
  private static OperationRegistry counting(AtomicInteger runs) {
    return OperationRegistry.builder()
        .register("test.count", OperationKind.MODIFY, "counts runs", c -> {
          runs.incrementAndGet();
          return "{}";
        }).build();
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }
}

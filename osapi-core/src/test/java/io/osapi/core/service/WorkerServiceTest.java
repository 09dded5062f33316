package io.osapi.core.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.osapi.core.port.Broker;
import io.osapi.core.domain.ConsumerSpec;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobOutcome;
import io.osapi.core.domain.JobStatus;
import io.osapi.core.domain.JobView;
import io.osapi.core.domain.OperationKind;
import io.osapi.core.domain.OperationRegistry;
import io.osapi.core.domain.ExhaustedDelivery;
import io.osapi.core.domain.Run;
import io.osapi.core.domain.RunKey;
import io.osapi.core.domain.RunState;
import io.osapi.core.domain.TransientOperationException;
import io.osapi.core.domain.Versioned;
import io.osapi.core.domain.WorkerInfo;
import io.osapi.core.operations.BuiltinOperations;
import io.osapi.core.port.Delivery;
import io.osapi.core.port.JobConsumer;
import io.osapi.core.port.JobStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
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
          .containsExactly("submitted", "started", "completed");
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
      JobId id = takenAndAbandoned(h, "test.count", "w-lost", RunState.COMPLETED, ackWait);
      h.worker(Harness.config("w2", 1).withDelivery(ackWait, 5, Duration.ofMillis(50)));
      Harness.awaitTrue(T, () -> h.metrics.redeliveries("test.count") == 1);
      Harness.awaitTrue(T, () -> h.broker.queue().backlog().ackPending() == 0);
      assertThat(runs).hasValue(0);
      // positive control: the same worker does run a job of that type
      assertThat(h.marker("test.count", T).status()).isEqualTo(JobStatus.COMPLETED);
      assertThat(runs).hasValue(1);
      assertThat(h.client.get(id).orElseThrow().status()).isEqualTo(JobStatus.COMPLETED);
    }
  }

  @Test
  void aFirstDeliveryOfAJobFinishedBeforeIsAcknowledgedWithoutRunning() throws Exception {
    // a server restarted after kill -9 can lose its consumers' state and deliver a finished job
    // again with delivery count 1: the run says it is done
    AtomicInteger runs = new AtomicInteger();
    try (Harness h = new Harness(counting(runs))) {
      JobId id = h.client.create(CreateJobRequest.of("test.count")).job().id();
      Run done = Run.claim(null, "w-before", 1, Instant.now())
          .finish(RunState.COMPLETED, "{}", null, false, Instant.now());
      h.broker.store().putRun(RunKey.any(id), done, 0).get();
      h.worker(Harness.config("w1", 1));
      Harness.awaitTrue(T, () -> h.broker.queue().backlog().pending() == 0
          && h.broker.queue().backlog().ackPending() == 0);
      assertThat(runs).hasValue(0);
      assertThat(h.metrics.finished(JobOutcome.COMPLETED)).isZero();
      // positive control: a job delivered after it is run by the same worker
      h.marker("test.count", T);
      assertThat(runs).hasValue(1);
      Harness.awaitTrue(T, () -> h.metrics.finished(JobOutcome.COMPLETED) == 1);
      assertThat(h.client.get(id).orElseThrow().workers()).containsOnlyKeys("w-before");
    }
  }

  @Test
  void aRunStillHeldByAnotherDeliveryIsNotTakenByALowerDeliveryCount() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    try (Harness h = new Harness(counting(runs))) {
      Duration ackWait = Duration.ofMillis(400);
      JobId id = h.client.create(CreateJobRequest.of("test.count")).job().id();
      // another worker claimed it on its first delivery and is (as far as anyone knows) running it
      h.broker.store().putRun(RunKey.any(id), Run.claim(null, "w-other", 1, Instant.now()), 0)
          .get();
      h.worker(Harness.config("w1", 1).withDelivery(ackWait, 5, Duration.ofMillis(50)));
      // the worker has taken delivery 1 (nothing pending), and left the run alone
      Harness.awaitTrue(T, () -> h.broker.queue().backlog().pending() == 0);
      assertThat(runs).as("delivery 1 leaves a run held from delivery 1 alone").hasValue(0);
      // the holder never finishes: the next delivery (count 2) takes the run over and runs it
      JobView v = h.awaitEnd(id, T);
      assertThat(v.status()).isEqualTo(JobStatus.COMPLETED);
      assertThat(runs).hasValue(1);
      assertThat(v.timeline()).anySatisfy(t ->
          assertThat(t.message()).isEqualTo("taken over by w1 from w-other (delivery 2)"));
    }
  }

  @Test
  void aJobWhoseFirstWorkerWasKilledMidJobIsCompletedNotProcessing() throws Exception {
    try (Harness h = new Harness(BuiltinOperations.registry())) {
      Duration ackWait = Duration.ofMillis(300);
      // it got as far as "started", then SIGKILL: nothing more is written
      JobId id = takenAndAbandoned(h, "diag.echo", "w-killed", RunState.RUNNING, ackWait);
      h.worker(Harness.config("w2", 1).withDelivery(ackWait, 5, Duration.ofMillis(50)));
      JobView v = h.awaitEnd(id, T);
      assertThat(v.status()).isEqualTo(JobStatus.COMPLETED);
      assertThat(v.workers().get("w2").state()).isEqualTo(RunState.COMPLETED);
      assertThat(v.timeline()).anySatisfy(t ->
          assertThat(t.message()).startsWith("taken over by w2 from w-killed"));
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
      // positive control: a second job of the type, delivered after it, runs (once)
      assertThat(h.marker("test.boom", T).status()).isEqualTo(JobStatus.FAILED);
      assertThat(runs).hasValue(2);
      assertThat(h.metrics.redeliveries()).isZero();
      assertThat(h.metrics.deadLettered()).isZero();
      Harness.awaitTrue(T, () -> h.metrics.finished(JobOutcome.FAILED, "test.boom") == 2);
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
      // positive control: a second job of the type goes the same way, three runs and no more
      assertThat(h.marker("test.flaky", T).status()).isEqualTo(JobStatus.FAILED);
      assertThat(runs).hasValue(6);
      Harness.awaitTrue(T, () -> h.metrics.deadLettered("test.flaky") == 2);
      assertThat(h.metrics.redeliveries("test.flaky")).isEqualTo(4);
      Harness.awaitTrue(T, () -> h.metrics.finished(JobOutcome.FAILED) == 2);
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
      h.awaitRegistered("w1", "w2");
      JobId id = h.client.create(new CreateJobRequest("test.where", null, "_all")).job().id();
      JobView v = h.awaitEnd(id, T);
      assertThat(v.status()).isEqualTo(JobStatus.PARTIAL_FAILURE);
      assertThat(v.workers().get("w1").state()).isEqualTo(RunState.COMPLETED);
      assertThat(v.workers().get("w2").state()).isEqualTo(RunState.FAILED);
      assertThat(v.error()).contains("not here");
    }
  }

  @Test
  void poisonIsTerminatedOnceAndTheWorkerKeepsServing() {
    try (Harness h = new Harness(BuiltinOperations.registry())) {
      JobId bad = h.client.create(CreateJobRequest.of("diag.echo")).job().id();
      WorkerService w = WorkerService.builder(Harness.config("w1", 2), Broker.of(h.broker.store(),
          PoisonDeliveries.wrapping(h.broker.queue(), bad), h.broker.registry()), h.operations)
          .metrics(h.metrics).build();
      h.workers.add(w);
      w.start();
      Harness.awaitTrue(T, () -> h.metrics.deadLettered("other") == 1);
      JobId ok = h.client.create(CreateJobRequest.of("diag.echo")).job().id();
      assertThat(h.awaitEnd(ok, T).status()).isEqualTo(JobStatus.COMPLETED);
      // positive control: one more job after it, and the poison is still terminated once
      assertThat(h.marker("diag.echo", T).status()).isEqualTo(JobStatus.COMPLETED);
      assertThat(h.metrics.deadLettered()).isEqualTo(1);
      assertThat(h.metrics.redeliveries()).isZero();
      assertThat(h.client.get(bad).orElseThrow().status()).isEqualTo(JobStatus.SUBMITTED);
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

  /**
   * A run of 3.3 ack waits is kept by the in-progress signal (sent every ack wait / 3). The ack
   * wait is 1.2 s, not 300 ms: the signal's thread may be held off the cores for up to 800 ms
   * (2/3 of the ack wait) before a redelivery; with 300 ms a 200 ms stall at a load average of
   * 20-40 redelivered once. Without the signal the job is redelivered after 1.2 s.
   */
  @Test
  void aJobLongerThanAckWaitIsNotRedelivered() {
    try (Harness h = new Harness(BuiltinOperations.registry())) {
      h.worker(Harness.config("w1", 2).withDelivery(Duration.ofMillis(1200), 5, Duration.ofMillis(50)));
      JobId id = h.client.create(new CreateJobRequest("diag.sleep", "{\"seconds\":4}", null)).job().id();
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
      assertThat(v.workers().get("w1").state()).isEqualTo(RunState.RELEASED);
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
          && h.client.get(id).orElseThrow().workers().get("w1").state() == RunState.RELEASED);
      w1.stop(Duration.ofSeconds(5)); // so w1 cannot use up the deliveries before w2 gets one
      h.worker(Harness.config("w2", 1));
      JobView v = h.awaitEnd(id, T);
      assertThat(v.status()).isEqualTo(JobStatus.COMPLETED);
      assertThat(h.client.list(JobStatus.COMPLETED, 10, 0).total()).isEqualTo(1);
      assertThat(h.client.stats().byStatus().get(JobStatus.PROCESSING)).isZero();
    }
  }

  @Test
  void anEndThatCouldNotBeWrittenIsWrittenAgainNotRunAgain() {
    for (boolean reachedTheStore : new boolean[] {false, true}) {
      try (Harness h = new Harness(BuiltinOperations.registry())) {
        AtomicInteger runWrites = new AtomicInteger();
        // call 1 is the claim, call 2 the end: it fails, before or after the store took it
        io.osapi.core.port.JobStore failing = FailingOnceJobStore.wrapping(
            h.broker.store(), "putRun", 2, reachedTheStore, runWrites);
        WorkerService w = WorkerService.builder(Harness.config("w1", 1),
            Broker.of(failing, h.broker.queue(), h.broker.registry()), h.operations)
            .metrics(h.metrics).build();
        h.workers.add(w);
        w.start();
        JobId id = h.client.create(new CreateJobRequest("diag.echo", "{\"x\":1}", "_any"))
            .job().id();
        // settled by reading the run: written again when it was not stored, left when it was;
        // counted once, nothing handed back, nothing runs twice
        JobView v = h.awaitEnd(id, T);
        Harness.awaitTrue(T, () -> h.metrics.active() == 0);
        Harness.awaitTrue(T, () -> h.broker.queue().backlog().ackPending() == 0);
        String as = "reached the store: " + reachedTheStore;
        assertThat(v.status()).as(as).isEqualTo(JobStatus.COMPLETED);
        assertThat(v.result()).as(as).isEqualTo("{\"x\":1}");
        assertThat(runWrites.get()).as(as).isEqualTo(reachedTheStore ? 2 : 3);
        assertThat(h.metrics.finished(JobOutcome.COMPLETED, "diag.echo")).as(as).isEqualTo(1);
        assertThat(h.metrics.redeliveries("diag.echo")).as(as).isZero();
        assertThat(h.metrics.finished(JobOutcome.RELEASED)).as(as).isZero();
      }
    }
  }

  @Test
  void anEndThatDoesNotFitInAFullStoreEndsTheRunFailedWithTheReason() {
    try (Harness h = new Harness(BuiltinOperations.registry())) {
      AtomicInteger runWrites = new AtomicInteger();
      // call 1 is the claim, call 2 the end with its result: refused for want of room
      io.osapi.core.port.JobStore full = FailingOnceJobStore.wrapping(h.broker.store(), "putRun",
          2, false, runWrites, new io.osapi.core.domain.StoreFullException(
              io.osapi.core.domain.StoreFullException.Limit.BUCKET, 1000, "no room (injected)"));
      WorkerService w = WorkerService.builder(Harness.config("w1", 1),
          Broker.of(full, h.broker.queue(), h.broker.registry()), h.operations)
          .metrics(h.metrics).build();
      h.workers.add(w);
      w.start();
      JobId id = h.client.create(new CreateJobRequest("diag.echo", "{\"x\":1}", "_any"))
          .job().id();
      // ended failed with the reason, once: not handed back, not run again
      JobView v = h.awaitEnd(id, T);
      Harness.awaitTrue(T, () -> h.metrics.active() == 0);
      Harness.awaitTrue(T, () -> h.broker.queue().backlog().ackPending() == 0);
      assertThat(v.status()).isEqualTo(JobStatus.FAILED);
      assertThat(v.error()).contains("the job store is full").contains("no room (injected)");
      assertThat(runWrites.get()).isEqualTo(3);
      assertThat(h.metrics.finished(JobOutcome.FAILED, "diag.echo")).isEqualTo(1);
      assertThat(h.metrics.finished(JobOutcome.COMPLETED)).isZero();
      assertThat(h.metrics.redeliveries("diag.echo")).isZero();
    }
  }

  @Test
  void theNextJobRunsWhileAnEndIsStillBeingWrittenAndNoMoreThanConcurrencyEndsWait()
      throws Exception {
    AtomicInteger runs = new AtomicInteger();
    try (Harness h = new Harness(counting(runs))) {
      // the worker's store holds every end (a terminal run) until released
      CountDownLatch release = new CountDownLatch(1);
      AtomicInteger endsHeld = new AtomicInteger();
      JobStore real = h.broker.store();
      JobStore holding = (JobStore) Proxy.newProxyInstance(JobStore.class.getClassLoader(),
          new Class<?>[] {JobStore.class}, (proxy, m, args) -> {
            if (m.getName().equals("putRun") && ((Run) args[1]).state().terminal()) {
              endsHeld.incrementAndGet();
              return CompletableFuture.runAsync(() -> awaitQuietly(release))
                  .thenCompose(v -> real.putRun((RunKey) args[0], (Run) args[1], (long) args[2]));
            }
            try {
              return m.invoke(real, args);
            } catch (InvocationTargetException e) {
              throw e.getCause();
            }
          });
      Broker broker = Broker.of(holding, h.broker.queue(), h.broker.registry());
      WorkerService w = WorkerService.builder(Harness.config("w1", 1), broker, h.operations)
          .metrics(h.metrics).build();
      w.start();
      try {
        List<JobId> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          ids.add(h.client.create(CreateJobRequest.of("test.count")).job().id());
        }
        // concurrency 1: the second job runs while the first one's end is held; the third waits
        // for a settling place, as the second's end holds the slot
        Harness.awaitTrue(T, () -> runs.get() == 2 && endsHeld.get() == 2);
        Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5))
            .until(() -> runs.get() == 2);
        assertThat(h.client.get(ids.get(0)).orElseThrow().status())
            .isEqualTo(JobStatus.PROCESSING);
        release.countDown();
        for (JobId id : ids) {
          assertThat(h.awaitEnd(id, T).status()).isEqualTo(JobStatus.COMPLETED);
        }
        assertThat(runs).hasValue(3);
        assertThat(h.metrics.maxActive()).isOne();
      } finally {
        release.countDown();
        w.stop(Duration.ofSeconds(5));
      }
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void theHeartbeatListsTheJobsTheWorkerRuns() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    try (Harness h = new Harness(slow(started, release))) {
      h.worker(Harness.config("w1", 2));
      JobId id = h.client.create(CreateJobRequest.of("test.slow")).job().id();
      assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
      Harness.awaitTrue(T, () -> entry(h, "w1").running().contains(id));
      release.countDown();
      h.awaitEnd(id, T);
      Harness.awaitTrue(T, () -> entry(h, "w1").running().isEmpty());
    }
  }

  /**
   * Operation {@code test.slow}: counts {@code started} down, waits for {@code release}, then
   * answers {@code {"by": <worker id>}}.
   */
  private static OperationRegistry slow(CountDownLatch started, CountDownLatch release) {
    return OperationRegistry.builder()
        .register("test.slow", OperationKind.QUERY, "waits", c -> {
          started.countDown();
          release.await();
          return "{\"by\":\"" + c.workerId() + "\"}";
        }).build();
  }

  private static WorkerInfo entry(Harness h, String worker) {
    return h.broker.registry().workers().stream().filter(w -> w.id().equals(worker)).findFirst()
        .orElseThrow();
  }

  @Test
  void aRunTakenOverWhileItRanDropsItsOutcomeAndIsNotCounted() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    try (Harness h = new Harness(slow(started, release))) {
      h.worker(Harness.config("w1", 1));
      JobId id = h.client.create(CreateJobRequest.of("test.slow")).job().id();
      assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
      // meanwhile another delivery took it over and finished it
      Versioned<Run> held = h.broker.store().run(RunKey.any(id)).orElseThrow();
      Run other = Run.claim(held.value(), "w-other", 2, Instant.now());
      long rev = h.broker.store().putRun(RunKey.any(id), other, held.revision()).get();
      h.broker.store().putRun(RunKey.any(id),
          other.finish(RunState.COMPLETED, "{\"by\":\"w-other\"}", null, false, Instant.now()),
          rev).get();
      release.countDown();
      Harness.awaitTrue(T, () -> h.metrics.superseded("test.slow") == 1);
      Harness.awaitTrue(T, () -> h.metrics.active() == 0);
      assertThat(h.metrics.finished(JobOutcome.COMPLETED)).isZero();
      JobView v = h.client.get(id).orElseThrow();
      assertThat(v.result()).isEqualTo("{\"by\":\"w-other\"}");
      assertThat(v.workers()).containsOnlyKeys("w-other");
    }
  }

  @Test
  void deliveriesThatRunOutOnDeadWorkersAreDeadLetteredOnceAcrossControllers() throws Exception {
    try (Harness h = new Harness(BuiltinOperations.registry())) {
      Duration ackWait = Duration.ofMillis(200);
      DeadLetterService c1 = new DeadLetterService(h.broker.store(), h.broker.queue(),
          h.broker.registry(), h.metrics, Clock.systemUTC(), DeadLetterService.RECHECK);
      DeadLetterService c2 = new DeadLetterService(h.broker.store(), h.broker.queue(),
          h.broker.registry(), h.metrics, Clock.systemUTC(), DeadLetterService.RECHECK);
      c1.start();
      c2.start();
      try {
        // two deliveries (max deliver 2), each taken by a worker that claims the run and dies
        JobConsumer dying = h.broker.queue().consumer(
            new ConsumerSpec("w-dying", Map.of(), ackWait, 2));
        JobId id = h.client.create(CreateJobRequest.of("diag.echo")).job().id();
        for (int n = 1; n <= 2; n++) {
          List<Delivery> got = dying.fetch(1, Duration.ofSeconds(5));
          assertThat(got).as("delivery " + n).hasSize(1);
          RunKey key = RunKey.any(id);
          var cur = h.broker.store().run(key);
          Run claimed = Run.claim(cur.map(Versioned::value).orElse(null), "w-dying", n,
              Instant.now());
          h.broker.store().putRun(key, claimed, cur.map(Versioned::revision).orElse(0L)).get();
        }
        dying.close();
        JobView v = h.awaitEnd(id, T);
        assertThat(v.status()).isEqualTo(JobStatus.FAILED);
        assertThat(v.error()).isEqualTo("gave up after 2 deliveries: worker w-dying did not finish it");
        Run run = h.broker.store().run(RunKey.any(id)).orElseThrow().value();
        assertThat(run.deadLettered()).isTrue();
        // both controllers had the exhausted delivery offered: it stays counted once
        Awaitility.await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
            .until(() -> h.metrics.deadLettered("diag.echo") == 1);
        // reported again (at least once delivery): nothing more happens
        assertThat(c2.handle(new ExhaustedDelivery(id, null, 2))).isFalse();
        assertThat(h.metrics.deadLettered("diag.echo")).isEqualTo(1);
      } finally {
        c1.close();
        c2.close();
      }
    }
  }

  /**
   * A new job of {@code type}, taken by a consumer of {@code worker} that claims its run, leaves
   * it in state {@code left} and goes away without settling the delivery.
   */
  private static JobId takenAndAbandoned(
      Harness h, String type, String worker, RunState left, Duration ackWait)
      throws Exception {
    JobConsumer c = h.broker.queue().consumer(new ConsumerSpec(worker, Map.of(), ackWait, 5));
    JobId id = h.client.create(CreateJobRequest.of(type)).job().id();
    assertThat(c.fetch(1, Duration.ofSeconds(2))).hasSize(1);
    Run run = Run.claim(null, worker, 1, Instant.now());
    if (left.terminal()) {
      run = run.finish(left, "{}", null, false, Instant.now());
    }
    h.broker.store().putRun(RunKey.any(id), run, 0).get();
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
}

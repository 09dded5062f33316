package io.osapi.core.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.osapi.core.domain.InvalidInputException;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobRecord;
import io.osapi.core.domain.JobStatus;
import io.osapi.core.domain.JobView;
import io.osapi.core.domain.OperationFailedException;
import io.osapi.core.domain.OperationKind;
import io.osapi.core.domain.OperationRegistry;
import io.osapi.core.domain.Rollout;
import io.osapi.core.domain.RunState;
import io.osapi.core.domain.Versioned;
import io.osapi.core.operations.BuiltinOperations;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Rolling broadcasts ({@link RolloutService}) with real workers on the embedded broker. */
class RolloutServiceTest {
  private static final Duration T = Duration.ofSeconds(20);
  private static final List<String> FIVE = List.of("w1", "w2", "w3", "w4", "w5");

  private final AtomicInteger running = new AtomicInteger();
  private final AtomicInteger most = new AtomicInteger();
  private final Set<String> failOn = ConcurrentHashMap.newKeySet();
  private final List<String> ran = new CopyOnWriteArrayList<>();
  private final Map<String, Instant> started = new ConcurrentHashMap<>();
  private final Map<String, Instant> ended = new ConcurrentHashMap<>();
  private final OperationRegistry ops = BuiltinOperations.builder()
      .register("test.step", OperationKind.MODIFY, "runs 150 ms, fails where told", c -> {
        int now = running.incrementAndGet();
        most.accumulateAndGet(now, Math::max);
        ran.add(c.workerId());
        started.put(c.workerId(), Instant.now());
        try {
          Thread.sleep(150);
          if (failOn.contains(c.workerId())) {
            throw new OperationFailedException("broken on " + c.workerId(), null);
          }
          return "{}";
        } finally {
          ended.put(c.workerId(), Instant.now());
          running.decrementAndGet();
        }
      }).build();

  /** A controller's rollout loop: its own index over the store, a round every 20 ms. */
  private static final class Loop implements AutoCloseable {
    final JobIndex index;
    final RolloutService service;
    final AtomicBoolean stop = new AtomicBoolean();
    final Thread thread;

    Loop(Harness h) {
      index = JobIndex.of(h.broker.store(), Clock.systemUTC());
      service = new RolloutService(h.broker.store(), h.broker.queue(), index, h.metrics,
          Clock.systemUTC(), Duration.ofSeconds(20));
      thread = new Thread(() -> {
        while (!stop.get()) {
          try {
            service.round();
            Thread.sleep(20);
          } catch (InterruptedException e) {
            return;
          } catch (RuntimeException e) {
            // the next round goes on
          }
        }
      });
      thread.setDaemon(true);
      thread.start();
    }

    @Override
    public void close() throws InterruptedException {
      stop.set(true);
      thread.join(5000);
      index.close();
    }
  }

  private static List<WorkerService> fleet(Harness h, List<String> ids) {
    List<WorkerService> out = new ArrayList<>();
    for (String id : ids) {
      out.add(h.worker(Harness.config(id, 2)));
    }
    h.awaitRegistered(ids.toArray(String[]::new));
    return out;
  }

  private static CreateJobRequest rollout(String target, Rollout r) {
    return new CreateJobRequest("test.step", "{}", target, Duration.ofMinutes(5), r);
  }

  @Test
  void aBatchOfTwoNeverRunsMoreThanTwoAtATimeAndReachesEveryWorker() throws Exception {
    try (Harness h = new Harness(ops); Loop loop = new Loop(h)) {
      fleet(h, FIVE);
      JobView created = h.client.create(rollout("_all", Rollout.of(2, 0, Duration.ZERO, 0)));
      assertThat(created.status()).isEqualTo(JobStatus.SUBMITTED);
      JobView v = h.awaitEnd(created.job().id(), T);
      assertThat(v.status()).isEqualTo(JobStatus.COMPLETED);
      assertThat(ran).containsExactlyInAnyOrderElementsOf(FIVE);
      assertThat(most.get()).as("the window was used, and never passed").isEqualTo(2);
      assertThat(h.metrics.rolloutRunsReleased("test.step")).isEqualTo(5);
      Rollout r = h.broker.store().find(created.job().id()).orElseThrow().value().rollout();
      assertThat(r.released()).isEqualTo(5);
      assertThat(v.timeline()).anySatisfy(e -> assertThat(e.event()).isEqualTo("released"));
    }
  }

  @Test
  void aFailureBeyondMaxFailuresStopsTheRolloutAndSkipsTheRest() throws Exception {
    failOn.add("w2");
    try (Harness h = new Harness(ops); Loop loop = new Loop(h)) {
      fleet(h, FIVE);
      JobId id = h.client.create(rollout("_all", Rollout.of(1, 0, Duration.ZERO, 0))).job().id();
      JobView v = h.awaitEnd(id, T);
      assertThat(v.status()).isEqualTo(JobStatus.PARTIAL_FAILURE);
      assertThat(v.error()).contains("rollout stopped: 1 released run failed (w2)",
          "max_failures 0");
      assertThat(ran).as("ran on w1 and w2 only").containsExactly("w1", "w2");
      for (String w : List.of("w3", "w4", "w5")) {
        assertThat(v.workers().get(w).state()).isEqualTo(RunState.SKIPPED);
      }
      assertThat(v.workers().get("w1").state()).isEqualTo(RunState.COMPLETED);
      assertThat(h.metrics.rolloutsStopped("test.step")).isEqualTo(1);
      // positive control for the absence: a later broadcast does reach w3 to w5
      failOn.clear();
      h.awaitEnd(h.client.create(rollout("_all", Rollout.of(5, 0, Duration.ZERO, 0))).job().id(),
          T);
      assertThat(ran).containsAll(List.of("w3", "w4", "w5"));
    }
  }

  @Test
  void aFailureWithinMaxFailuresGoesOn() throws Exception {
    failOn.add("w1");
    try (Harness h = new Harness(ops); Loop loop = new Loop(h)) {
      fleet(h, List.of("w1", "w2", "w3"));
      JobView v = h.awaitEnd(h.client.create(
          rollout("_all", Rollout.of(0, 34, Duration.ZERO, 1))).job().id(), T);
      assertThat(v.status()).isEqualTo(JobStatus.PARTIAL_FAILURE);
      assertThat(ran).containsExactlyInAnyOrder("w1", "w2", "w3");
      assertThat(most.get()).as("34 % of 3 rounds up to 2").isLessThanOrEqualTo(2);
    }
  }

  @Test
  void thePauseHoldsEachReleaseAfterTheRunBeforeEnded() throws Exception {
    try (Harness h = new Harness(ops); Loop loop = new Loop(h)) {
      fleet(h, List.of("w1", "w2", "w3"));
      JobId id = h.client.create(rollout("_all", Rollout.of(1, 0, Duration.ofMillis(700), 0)))
          .job().id();
      assertThat(h.awaitEnd(id, T).status()).isEqualTo(JobStatus.COMPLETED);
      assertThat(Duration.between(ended.get("w1"), started.get("w2")))
          .isGreaterThanOrEqualTo(Duration.ofMillis(650));
      assertThat(Duration.between(ended.get("w2"), started.get("w3")))
          .isGreaterThanOrEqualTo(Duration.ofMillis(650));
    }
  }

  @Test
  void twoControllersReleaseEachWorkerOnceAndAFreshOneGoesOn() throws Exception {
    try (Harness h = new Harness(ops)) {
      fleet(h, FIVE);
      JobId id;
      try (Loop a = new Loop(h); Loop b = new Loop(h)) {
        id = h.client.create(rollout("_all", Rollout.of(1, 0, Duration.ofMillis(300), 0)))
            .job().id();
        Harness.awaitTrue(T, () -> ran.size() >= 2);
      } // both controllers stop mid-rollout
      int before = ran.size();
      assertThat(h.client.get(id).orElseThrow().status()).isEqualTo(JobStatus.PROCESSING);
      try (Loop c = new Loop(h)) {
        assertThat(h.awaitEnd(id, T).status()).isEqualTo(JobStatus.COMPLETED);
      }
      assertThat(before).isLessThan(5);
      assertThat(ran).containsExactlyInAnyOrderElementsOf(FIVE);
      assertThat(most.get()).isEqualTo(1);
      assertThat(h.metrics.rolloutRunsReleased("test.step")).isEqualTo(5);
    }
  }

  @Test
  void aStepWhoseNotificationsWereLostIsSentAgain() throws Exception {
    try (Harness h = new Harness(ops); Loop loop = new Loop(h)) {
      fleet(h, List.of("w1", "w2"));
      // as a controller that stored the first step and died before it published anything
      JobView made = h.client.create(rollout("_all", Rollout.of(1, 0, Duration.ZERO, 0)));
      Harness.awaitTrue(T, () -> h.client.get(made.job().id()).orElseThrow().status().terminal());
      Instant at = Instant.now().minusSeconds(6);
      JobRecord lost = JobRecord.submitted(new io.osapi.core.domain.Job(
          JobId.generate(Clock.systemUTC()), made.job().operation(), made.job().kind(),
          made.job().target(), at), List.of("w1", "w2"), Duration.ofMinutes(5))
          .withRollout(Rollout.of(1, 0, Duration.ZERO, 0).release(1, at));
      h.broker.store().create(lost).get();
      int before = ran.size();
      assertThat(h.awaitEnd(lost.job().id(), T).status()).isEqualTo(JobStatus.COMPLETED);
      assertThat(ran.subList(before, ran.size())).containsExactly("w1", "w2");
    }
  }

  @Test
  void aCancelStopsTheReleasesAndSkipsTheWorkersNotReleased() throws Exception {
    try (Harness h = new Harness(BuiltinOperations.registry()); Loop loop = new Loop(h)) {
      List<WorkerService> ws = fleet(h, List.of("w1", "w2", "w3"));
      JobId id = h.client.create(new CreateJobRequest("diag.sleep", "{\"seconds\":60}", "_all",
          Duration.ofMinutes(5), Rollout.of(1, 0, Duration.ZERO, 0))).job().id();
      Harness.awaitTrue(T, () -> ws.get(0).activeJobs() == 1);
      assertThat(h.client.cancel(id, "alice").status()).isEqualTo(CancelOutcome.Status.CANCELLED);
      JobView v = h.awaitEnd(id, T);
      assertThat(v.status()).isEqualTo(JobStatus.CANCELLED);
      assertThat(v.workers().get("w1").state()).isEqualTo(RunState.CANCELLED);
      assertThat(v.workers().get("w2").state()).isEqualTo(RunState.SKIPPED);
      assertThat(v.workers().get("w3").state()).isEqualTo(RunState.SKIPPED);
      Versioned<JobRecord> r = h.broker.store().find(id).orElseThrow();
      // positive control: a marker through w2's and w3's queues ran after the cancel
      assertThat(h.awaitEnd(h.client.create(new CreateJobRequest("diag.echo", "{}", "_all",
          Duration.ofMinutes(1))).job().id(), T).status()).isEqualTo(JobStatus.COMPLETED);
      assertThat(ws.get(1).activeJobs() + ws.get(2).activeJobs()).isZero();
      assertThat(h.broker.store().find(id).orElseThrow().revision())
          .as("no release after the cancel").isEqualTo(r.revision());
    }
  }

  @Test
  void theJobsTimeoutFailsTheReleasedRunsAndSkipsTheOthers() throws Exception {
    try (Harness h = new Harness(BuiltinOperations.registry()); Loop loop = new Loop(h);
        JobTimeoutService timeouts = new JobTimeoutService(h.broker.store(), h.broker.queue(),
            h.metrics, Clock.systemUTC())) {
      timeouts.start();
      fleet(h, List.of("w1", "w2", "w3"));
      JobId id = h.client.create(new CreateJobRequest("diag.sleep", "{\"seconds\":60}", "_all",
          Duration.ofSeconds(2), Rollout.of(1, 0, Duration.ZERO, 0))).job().id();
      JobView v = h.awaitEnd(id, T);
      assertThat(v.status()).isEqualTo(JobStatus.PARTIAL_FAILURE);
      assertThat(v.workers().get("w1").state()).isEqualTo(RunState.FAILED);
      assertThat(v.workers().get("w2").state()).isEqualTo(RunState.SKIPPED);
      assertThat(v.workers().get("w2").error()).contains("did not reach this worker within 2s");
    }
  }

  @Test
  void aRetryIsARolloutFromItsFirstStepAndToOneWorkerIsNot() throws Exception {
    try (Harness h = new Harness(ops); Loop loop = new Loop(h)) {
      fleet(h, List.of("w1", "w2", "w3"));
      JobId id = h.client.create(rollout("_all", Rollout.of(1, 0, Duration.ZERO, 0))).job().id();
      h.awaitEnd(id, T);
      JobId again = h.client.retry(id, null).orElseThrow().job().id();
      Rollout r = h.broker.store().find(again).orElseThrow().value().rollout();
      assertThat(r.batchSize()).isEqualTo(1);
      assertThat(r.released()).isEqualTo(1);
      assertThat(h.awaitEnd(again, T).status()).isEqualTo(JobStatus.COMPLETED);
      assertThat(most.get()).isEqualTo(1);
      JobId one = h.client.retry(id, "w2").orElseThrow().job().id();
      assertThat(h.broker.store().find(one).orElseThrow().value().rollout()).isNull();
      assertThat(h.awaitEnd(one, T).status()).isEqualTo(JobStatus.COMPLETED);
    }
  }

  @Test
  void aRolloutIsRefusedOnAnyAndOnOneWorkerAndOutOfBounds() {
    try (Harness h = new Harness(ops)) {
      fleet(h, List.of("w1"));
      Rollout r = Rollout.of(1, 0, Duration.ZERO, 0);
      assertThatThrownBy(() -> h.client.create(new CreateJobRequest("test.step", "{}", null, null,
          r))).isInstanceOf(InvalidInputException.class).hasMessageContaining("_any");
      assertThatThrownBy(() -> h.client.create(rollout("w1", r)))
          .isInstanceOf(InvalidInputException.class).hasMessageContaining("one worker");
    }
    assertThatThrownBy(() -> Rollout.of(0, 0, Duration.ZERO, 0))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("rollout.batch_size");
    assertThatThrownBy(() -> Rollout.of(0, 101, Duration.ZERO, 0))
        .hasMessageContaining("rollout.batch_size");
    assertThatThrownBy(() -> Rollout.of(1, 0, Duration.ofSeconds(3601), 0))
        .hasMessageContaining("rollout.pause_seconds");
    assertThatThrownBy(() -> Rollout.of(1, 0, Duration.ZERO, -1))
        .hasMessageContaining("rollout.max_failures");
  }
}

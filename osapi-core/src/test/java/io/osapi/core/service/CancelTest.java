package io.osapi.core.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobRecord;
import io.osapi.core.domain.JobStatus;
import io.osapi.core.domain.JobView;
import io.osapi.core.domain.OperationKind;
import io.osapi.core.domain.OperationRegistry;
import io.osapi.core.domain.RunKey;
import io.osapi.core.domain.RunState;
import io.osapi.core.domain.Versioned;
import io.osapi.core.operations.BuiltinOperations;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@link JobClient#cancel} with real workers on the embedded broker. */
class CancelTest {
  private static final Duration T = Duration.ofSeconds(10);

  private final AtomicInteger counted = new AtomicInteger();
  private final OperationRegistry ops = BuiltinOperations.builder()
      .register("test.count", OperationKind.QUERY, "counts its runs", c -> {
        counted.incrementAndGet();
        return "{}";
      }).build();

  @Test
  void aQueuedJobIsCancelledAndNeverRuns() {
    try (Harness h = new Harness(ops)) {
      JobId id = h.client.create(CreateJobRequest.of("test.count")).job().id();
      CancelOutcome o = h.client.cancel(id, "alice");
      assertThat(o.status()).isEqualTo(CancelOutcome.Status.CANCELLED);
      assertThat(o.job().status()).isEqualTo(JobStatus.CANCELLED);
      assertThat(o.job().timeline()).anySatisfy(
          e -> assertThat(e.message()).isEqualTo("cancel requested by alice"));
      assertThat(h.broker.store().find(id).orElseThrow().value().cancelRequested()).isNotNull();
      h.worker(Harness.config("w1", 1));
      // positive control: a job of the same operation after it runs, so the worker had its chance
      h.awaitEnd(h.client.create(CreateJobRequest.of("test.count")).job().id(), T);
      assertThat(counted).hasValue(1);
      JobView v = h.client.get(id).orElseThrow();
      assertThat(v.status()).isEqualTo(JobStatus.CANCELLED);
      assertThat(v.results()).singleElement()
          .satisfies(r -> assertThat(r.status()).isEqualTo(RunState.CANCELLED));
      assertThat(h.metrics.cancelled("test.count")).isEqualTo(1);
    }
  }

  @Test
  void aRunningSleepStopsWithinTwoSecondsAndItsOutcomeIsDropped() {
    try (Harness h = new Harness(ops)) {
      WorkerService w = h.worker(Harness.config("w1", 2));
      JobId id = h.client.create(new CreateJobRequest("diag.sleep", "{\"seconds\":60}", null,
          null)).job().id();
      Harness.awaitTrue(T, () -> h.client.get(id).orElseThrow().status() == JobStatus.PROCESSING
          && w.activeJobs() == 1);
      long t0 = System.nanoTime();
      assertThat(h.client.cancel(id, "alice").status()).isEqualTo(CancelOutcome.Status.CANCELLED);
      Harness.awaitTrue(Duration.ofSeconds(2), () -> w.activeJobs() == 0);
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
      JobView v = h.client.get(id).orElseThrow();
      assertThat(v.status()).isEqualTo(JobStatus.CANCELLED);
      assertThat(v.workers().get("w1").state()).isEqualTo(RunState.CANCELLED);
      assertThat(v.timeline()).anySatisfy(e -> assertThat(e.message())
          .isEqualTo("cancelled while running on w1 (requested by alice)"));
      // the worker takes the next job: its slot is free and the delivery settled
      assertThat(h.marker("diag.echo", T).status()).isEqualTo(JobStatus.COMPLETED);
      assertThat(h.metrics.superseded()).isZero();
      assertThat(h.client.cancel(id, "bob").status())
          .isEqualTo(CancelOutcome.Status.ALREADY_ENDED);
      assertThat(h.metrics.cancelled("diag.sleep")).isEqualTo(1);
    }
  }

  @Test
  void aBroadcastHasEveryOpenRunCancelledAndFinishedRunsKeepTheirResult() {
    try (Harness h = new Harness(ops)) {
      List<WorkerService> ws = new ArrayList<>();
      for (String id : List.of("w1", "w2", "w3")) {
        ws.add(h.worker(Harness.config(id, 1)));
      }
      h.awaitRegistered("w1", "w2", "w3");
      JobId id = h.client.create(new CreateJobRequest("diag.sleep", "{\"seconds\":60}", "_all",
          Duration.ofMinutes(5))).job().id();
      Harness.awaitTrue(T, () -> ws.stream().allMatch(w -> w.activeJobs() == 1));
      assertThat(h.client.cancel(id, "alice").status()).isEqualTo(CancelOutcome.Status.CANCELLED);
      Harness.awaitTrue(Duration.ofSeconds(2), () -> ws.stream().allMatch(w -> w.activeJobs() == 0));
      JobView v = h.client.get(id).orElseThrow();
      assertThat(v.status()).isEqualTo(JobStatus.CANCELLED);
      assertThat(v.workers().values()).hasSize(3)
          .allSatisfy(s -> assertThat(s.state()).isEqualTo(RunState.CANCELLED));

      JobId mixed = h.client.create(new CreateJobRequest("diag.echo", "{}", "_all",
          Duration.ofMinutes(5))).job().id();
      h.awaitEnd(mixed, T);
      assertThat(h.client.cancel(mixed, "alice").status())
          .as("a broadcast whose runs all finished").isEqualTo(CancelOutcome.Status.ALREADY_ENDED);
      assertThat(h.client.get(mixed).orElseThrow().status()).isEqualTo(JobStatus.COMPLETED);
    }
  }

  @Test
  void finishedAndUnknownJobsAreLeftAlone() {
    try (Harness h = new Harness(ops)) {
      h.worker(Harness.config("w1", 1));
      JobView done = h.marker("diag.echo", T);
      CancelOutcome o = h.client.cancel(done.job().id(), "alice");
      assertThat(o.status()).isEqualTo(CancelOutcome.Status.ALREADY_ENDED);
      assertThat(o.job().status()).isEqualTo(JobStatus.COMPLETED);
      assertThat(h.broker.store().find(done.job().id()).orElseThrow().value().cancelRequested())
          .isNull();
      assertThat(h.client.cancel(JobId.generate(java.time.Clock.systemUTC()), "alice").status())
          .isEqualTo(CancelOutcome.Status.UNKNOWN);
      assertThat(h.metrics.cancelled("diag.echo")).isZero();
    }
  }

  @Test
  void aRequestStoredHalfWayIsFinishedByTheNextOneOnAnotherController() throws Exception {
    try (Harness h = new Harness(ops);
        JobClient other = JobClient.builder(h.broker, ops).metrics(h.metrics).build()) {
      JobId id = h.client.create(CreateJobRequest.of("test.count")).job().id();
      // the first controller stored the request and went away before it ended the run
      Versioned<JobRecord> r = h.broker.store().find(id).orElseThrow();
      h.broker.store().update(r.value().cancel("alice", Instant.now()), r.revision()).get();
      assertThat(h.broker.store().run(RunKey.any(id))).isEmpty();
      CancelOutcome o = other.cancel(id, "bob");
      assertThat(o.status()).isEqualTo(CancelOutcome.Status.CANCELLED);
      assertThat(o.job().status()).isEqualTo(JobStatus.CANCELLED);
      assertThat(h.metrics.cancelled("test.count")).as("stored once, counted once").isZero();
    }
  }

  @Test
  void twoControllersCancellingAtOnceStoreOneRequest() throws Exception {
    try (Harness h = new Harness(ops);
        JobClient other = JobClient.builder(h.broker, ops).metrics(h.metrics).build()) {
      for (int i = 0; i < 20; i++) {
        JobId id = h.client.create(CreateJobRequest.of("test.count")).job().id();
        CompletableFuture<CancelOutcome> a =
            CompletableFuture.supplyAsync(() -> h.client.cancel(id, "alice"));
        CompletableFuture<CancelOutcome> b =
            CompletableFuture.supplyAsync(() -> other.cancel(id, "bob"));
        assertThat(List.of(a.get().status(), b.get().status()))
            .contains(CancelOutcome.Status.CANCELLED);
        assertThat(h.client.get(id).orElseThrow().status()).isEqualTo(JobStatus.CANCELLED);
      }
      assertThat(h.metrics.cancelled("test.count")).isEqualTo(20);
    }
  }
}

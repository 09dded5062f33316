package io.osapi.core.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.osapi.core.domain.InvalidInputException;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobStatus;
import io.osapi.core.domain.JobView;
import io.osapi.core.domain.SchedulingState;
import io.osapi.core.domain.WorkerInfo;
import io.osapi.core.operations.BuiltinOperations;
import io.osapi.core.service.JobClient.DrainOutcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

class DrainTest {
  private static final Duration T = Duration.ofSeconds(20);

  private static SchedulingState reported(Harness h, String id) {
    return h.client.workers().stream().filter(w -> w.id().equals(id)).findFirst()
        .map(WorkerInfo::state).orElse(null);
  }

  @Test
  void aDrainedWorkerFinishesWhatItRunsTakesNothingNewIsCordonedAndComesBack() {
    try (Harness h = new Harness(BuiltinOperations.registry())) {
      WorkerService a = h.worker(Harness.config("a", 1));
      h.awaitRegistered("a");
      JobId slow = h.client.create(
          new CreateJobRequest("diag.sleep", "{\"seconds\":1.5}", null)).job().id();
      Harness.awaitTrue(T, () -> a.activeJobs() == 1);
      assertThat(h.client.drain("a")).isEqualTo(DrainOutcome.DONE);
      assertThat(h.client.drain("a")).isEqualTo(DrainOutcome.ALREADY);
      Harness.awaitTrue(T, () -> a.state() == SchedulingState.DRAINING);
      Harness.awaitTrue(T, () -> reported(h, "a") == SchedulingState.DRAINING); // by heartbeat
      h.worker(Harness.config("b", 2));
      h.awaitRegistered("b");
      List<JobId> ids = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        ids.add(h.client.create(CreateJobRequest.of("diag.echo")).job().id());
      }
      for (JobId id : ids) {
        JobView v = h.awaitEnd(id, T);
        assertThat(v.status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(v.results().get(0).worker()).isEqualTo("b");
      }
      JobView s = h.awaitEnd(slow, T);
      assertThat(s.status()).isEqualTo(JobStatus.COMPLETED);
      assertThat(s.results().get(0).worker()).isEqualTo("a");
      Harness.awaitTrue(T, () -> reported(h, "a") == SchedulingState.CORDONED);
      assertThat(h.metrics.processedByWorker().get("a")).isEqualTo(1L);
      // not an expected worker of a broadcast now
      JobView all = h.client.create(new CreateJobRequest("diag.echo", null, "_all"));
      assertThat(all.workers()).containsOnlyKeys("b");
      assertThatThrownBy(() -> h.client.create(new CreateJobRequest("diag.echo", null, "a")))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("no registered ready worker has id 'a'");

      assertThat(h.client.undrain("a")).isEqualTo(DrainOutcome.DONE);
      assertThat(h.client.undrain("a")).isEqualTo(DrainOutcome.ALREADY);
      Harness.awaitTrue(T, () -> reported(h, "a") == SchedulingState.READY);
      JobView host = h.awaitEnd(
          h.client.create(new CreateJobRequest("diag.echo", null, "a")).job().id(), T);
      assertThat(host.status()).isEqualTo(JobStatus.COMPLETED);
    }
  }

  @Test
  void aDrainRequestOutlivesARestartAndItsStopStartsCordoned() {
    try (Harness h = new Harness(BuiltinOperations.registry())) {
      WorkerService a = h.worker(Harness.config("a", 1));
      h.awaitRegistered("a");
      assertThat(h.client.drain("a")).isEqualTo(DrainOutcome.DONE);
      Harness.awaitTrue(T, () -> reported(h, "a") == SchedulingState.CORDONED);
      a.stop(Duration.ofSeconds(5));
      WorkerService again = h.worker(Harness.config("a", 1));
      assertThat(again.state()).isEqualTo(SchedulingState.CORDONED);
      Harness.awaitTrue(T, () -> reported(h, "a") == SchedulingState.CORDONED);
      JobId id = h.client.create(CreateJobRequest.of("diag.echo")).job().id();
      // a cordoned worker leaves it waiting (the undrain below is the positive control)
      Awaitility.await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
          .until(() -> h.client.get(id).orElseThrow().status() == JobStatus.SUBMITTED);
      h.client.undrain("a");
      assertThat(h.awaitEnd(id, T).status()).isEqualTo(JobStatus.COMPLETED);
    }
  }

  @Test
  void onlyRegisteredWorkersCanBeDrained() {
    try (Harness h = new Harness(BuiltinOperations.registry())) {
      assertThat(h.client.drain("nobody")).isEqualTo(DrainOutcome.UNKNOWN_WORKER);
      assertThat(h.client.undrain("nobody")).isEqualTo(DrainOutcome.UNKNOWN_WORKER);
      h.worker(Harness.config("a", 1));
      h.awaitRegistered("a");
      assertThat(h.client.undrain("a")).isEqualTo(DrainOutcome.ALREADY);
    }
  }
}

package io.osapi.core.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobResult;
import io.osapi.core.domain.JobStatus;
import io.osapi.core.domain.JobView;
import io.osapi.core.domain.OperationPolicy;
import io.osapi.core.domain.RunState;
import io.osapi.core.internal.Json;
import io.osapi.core.operations.BuiltinOperations;
import io.osapi.core.operations.HostLimits;
import io.osapi.core.operations.HostOps;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Host operations run by a real worker: a failed run keeps its result; a stop ends the group. */
class HostOperationsWorkerTest {
  private static final Duration T = Duration.ofSeconds(30);
  /** A worker whose owner allows commands (the default allows no privileged operation). */
  private static final OperationPolicy COMMANDS = OperationPolicy.of(List.of("command.exec"));

  @TempDir Path tmp;

  @Test
  void aNonZeroExitFailsOnceWithoutRetryAndKeepsExitCodeAndOutput() {
    try (Harness h = new Harness(BuiltinOperations.registry())) {
      h.worker(Harness.config("w1", 1).withAllowed(COMMANDS));
      JobId id = h.client.create(new CreateJobRequest("command.exec",
          "{\"argv\":[\"sh\",\"-c\",\"echo partial; exit 3\"]}", null)).job().id();
      JobView v = h.awaitEnd(id, T);
      assertThat(v.status()).isEqualTo(JobStatus.FAILED);
      assertThat(v.error()).isEqualTo("the command exited with code 3");
      assertThat(v.results()).hasSize(1);
      JobResult r = v.results().get(0);
      assertThat(r.status()).isEqualTo(RunState.FAILED);
      assertThat(r.attempt()).isEqualTo(1);
      Map<String, Object> data = Json.parseObject(r.data());
      assertThat(data).containsEntry("exit_code", 3L).containsEntry("stdout", "partial\n");
    }
  }

  @Test
  void aWorkerStoppingEndsTheProcessGroupOfARunningCommand() {
    Path pids = tmp.resolve("pids");
    String script = "echo $$ >> " + pids + "; sleep 300 & echo $! >> " + pids + "; wait";
    try (Harness h = new Harness(BuiltinOperations.registry(
        HostLimits.defaults().withKillGrace(Duration.ofSeconds(1))))) {
      WorkerService w = h.worker(Harness.config("w1", 1).withAllowed(COMMANDS));
      StringBuilder data = new StringBuilder("{\"argv\":[\"sh\",\"-c\",");
      Json.quote(data, script);
      h.client.create(new CreateJobRequest("command.exec", data + "]}", null));
      Awaitility.await().atMost(T).until(() -> HostOps.pids(pids).size() == 2
          && HostOps.pids(pids).stream().allMatch(HostOps::alive));
      w.stop(Duration.ofMillis(200)); // the drain ends before the command: it is interrupted
      assertThat(HostOps.pids(pids)).hasSize(2).noneMatch(HostOps::alive);
    }
  }
}

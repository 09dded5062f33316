package io.osapi.adapter.nats;

import static org.assertj.core.api.Assertions.assertThat;

import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobStatus;
import io.osapi.core.domain.Run;
import io.osapi.core.domain.RunKey;
import io.osapi.core.domain.RunState;
import io.osapi.core.domain.WorkerInfo;
import io.osapi.core.domain.WorkerProcess;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code WorkerService}s from the core running on NATS: routing of every target kind. */
class NatsWorkersIT {
  private NatsServerProcess server;
  private Fleet fleet;

  @BeforeEach
  void start() {
    server = NatsServerProcess.start();
    fleet = new Fleet(NatsTestSupport.settings(server).build());
  }

  @AfterEach
  void stop() {
    if (fleet != null) {
      fleet.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void anyJobsAreSplitBetweenWorkersAndRunOnce() {
    fleet.start("w1");
    fleet.start("w2");
    List<JobId> ids = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      ids.add(fleet.create("diag.echo", "{\"i\":" + i + "}", "_any"));
    }
    assertThat(fleet.await(ids, JobStatus.COMPLETED, Duration.ofSeconds(60)))
        .as("all 200 jobs completed")
        .isTrue();

    Map<String, Integer> perWorker = fleet.assertCompletedExactlyOnce(ids);
    assertThat(perWorker.keySet()).containsExactlyInAnyOrder("w1", "w2");
    assertThat(perWorker.get("w1")).isPositive();
    assertThat(perWorker.get("w2")).isPositive();
    assertThat(perWorker.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(200);
    for (int i = 0; i < ids.size(); i += 37) {
      JobId id = ids.get(i);
      Run run = fleet.runs(id).get(RunKey.any(id));
      assertThat(run.state()).isEqualTo(RunState.COMPLETED);
      assertThat(run.attempt()).isEqualTo(1);
      assertThat(run.result()).isEqualTo("{\"i\":" + i + "}");
    }
    long w1 = fleet.worker("w1").metrics().recorded.processedByWorker().getOrDefault("w1", 0L);
    long w2 = fleet.worker("w2").metrics().recorded.processedByWorker().getOrDefault("w2", 0L);
    assertThat(w1).isEqualTo(perWorker.get("w1").longValue());
    assertThat(w2).isEqualTo(perWorker.get("w2").longValue());
    assertThat(fleet.worker("w1").metrics().recorded.redeliveries()
            + fleet.worker("w2").metrics().recorded.redeliveries())
        .isZero();
    assertThat(fleet.clientMetrics.recorded.created("diag.echo")).isEqualTo(200);
  }

  @Test
  void allHostAndLabelTargetsReachExactlyTheMatchingWorkers() throws Exception {
    fleet.start("web-dev", Map.of("group", "web.dev"), Duration.ofSeconds(5), 2);
    fleet.start("web", Map.of("group", "web"), Duration.ofSeconds(5), 2);
    fleet.start("db", Map.of("group", "db"), Duration.ofSeconds(5), 2);

    JobId all = fleet.create("diag.echo", "{}", "_all");
    JobId host = fleet.create("diag.echo", "{}", "db");
    JobId label = fleet.create("diag.echo", "{}", "group:web");
    JobId narrow = fleet.create("diag.echo", "{}", "group:web.dev");

    Duration t = Duration.ofSeconds(15);
    assertThat(fleet.awaitFinishedBy(all, Set.of("web-dev", "web", "db"), t)).isTrue();
    assertThat(fleet.awaitFinishedBy(host, Set.of("db"), t)).isTrue();
    assertThat(fleet.awaitFinishedBy(label, Set.of("web-dev", "web"), t)).isTrue();
    assertThat(fleet.awaitFinishedBy(narrow, Set.of("web-dev"), t)).isTrue();
    // the control: a broadcast created after all four reaches every worker; anything wrongly
    // routed was published before it and would have run by the time it finished
    JobId control = fleet.create("diag.echo", "{}", "_all");
    assertThat(fleet.awaitFinishedBy(control, Set.of("web-dev", "web", "db"), t)).isTrue();

    assertThat(fleet.completedBy(all)).isEqualTo(Map.of("web-dev", 1, "web", 1, "db", 1));
    assertThat(fleet.completedBy(host)).isEqualTo(Map.of("db", 1));
    assertThat(fleet.completedBy(label)).isEqualTo(Map.of("web-dev", 1, "web", 1));
    assertThat(fleet.completedBy(narrow)).isEqualTo(Map.of("web-dev", 1));
    assertThat(workersWithRuns(all)).containsExactly("db", "web", "web-dev");
    assertThat(workersWithRuns(host)).containsExactly("db");
    assertThat(workersWithRuns(label)).containsExactly("web", "web-dev");
    assertThat(workersWithRuns(narrow)).containsExactly("web-dev");
    assertThat(fleet.jobs.get(all).orElseThrow().status()).isEqualTo(JobStatus.COMPLETED);
  }

  @Test
  void aWorkerStartedLaterDoesNotReplayEarlierBroadcasts() throws Exception {
    fleet.start("early");
    JobId before = fleet.create("diag.echo", "{\"n\":1}", "_all");
    assertThat(fleet.awaitFinishedBy(before, Set.of("early"), Duration.ofSeconds(10))).isTrue();

    fleet.start("late");
    JobId after = fleet.create("diag.echo", "{\"n\":2}", "_all");
    assertThat(fleet.awaitFinishedBy(after, Set.of("early", "late"), Duration.ofSeconds(10)))
        .isTrue();
    // the control: one more broadcast reaches both; a replay of the earlier one would have come
    // to the late worker before it
    JobId control = fleet.create("diag.echo", "{\"n\":3}", "_all");
    assertThat(fleet.awaitFinishedBy(control, Set.of("early", "late"), Duration.ofSeconds(10)))
        .isTrue();

    assertThat(workersWithRuns(before)).containsExactly("early");
    assertThat(fleet.completedBy(after)).isEqualTo(Map.of("early", 1, "late", 1));
  }

  @Test
  void aWorkerRestartedKeepsItsPositionAndGetsWhatWasSentWhileItWasAway() throws Exception {
    fleet.start("w1");
    JobId first = fleet.create("diag.echo", "{}", "w1");
    assertThat(fleet.awaitFinishedBy(first, Set.of("w1"), Duration.ofSeconds(10))).isTrue();
    fleet.stop("w1");
    // as if w1 had crashed on this host: its heartbeat has not expired yet, so a job for it is
    // accepted, and its process is gone, so the restarted w1 takes its entry over
    Process crashed = new ProcessBuilder("true").start();
    crashed.waitFor();
    fleet.client.registry().heartbeat(
        new WorkerInfo("w1", Map.of(), Instant.now(), Instant.now(), 0, 4).writtenBy(
            new WorkerProcess(WorkerProcess.current().host(), crashed.pid(), "crashed")));
    JobId whileAway = fleet.create("diag.echo", "{}", "w1");
    fleet.start("w1");
    assertThat(fleet.awaitFinishedBy(whileAway, Set.of("w1"), Duration.ofSeconds(10))).isTrue();
    assertThat(fleet.completedBy(first)).isEqualTo(Map.of("w1", 1));
  }

  private Set<String> workersWithRuns(JobId id) {
    return new TreeSet<>(fleet.runsByWorker(id).keySet());
  }
}

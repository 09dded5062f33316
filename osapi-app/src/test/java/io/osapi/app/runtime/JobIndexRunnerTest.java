package io.osapi.app.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.osapi.core.domain.BackendUnavailableException;
import io.osapi.core.domain.JobId;
import io.osapi.core.memory.InMemoryBroker;
import io.osapi.core.operations.BuiltinOperations;
import io.osapi.core.port.Broker;
import io.osapi.core.port.JobStore;
import io.osapi.core.port.JobWatch;
import io.osapi.core.service.JobClient;
import io.osapi.core.service.JobIndex;
import io.osapi.core.testing.RecordingJobMetrics;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** A controller is not ready, and says why, until its job index has read the store. */
class JobIndexRunnerTest {

  /** The embedded store, except that its watch replays nothing until the test says so. */
  static JobStore slowWatch(JobStore real, AtomicReference<JobWatch.Listener> held) {
    return (JobStore) Proxy.newProxyInstance(JobStore.class.getClassLoader(),
        new Class<?>[] {JobStore.class}, (proxy, m, args) -> {
          if (m.getName().equals("watch")) {
            held.set((JobWatch.Listener) args[0]);
            return (JobWatch) () -> { };
          }
          try {
            return m.invoke(real, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  @Test
  void notReadyWithTheReasonUntilTheReplayIsDone() throws Exception {
    InMemoryBroker broker = InMemoryBroker.create();
    AtomicReference<JobWatch.Listener> held = new AtomicReference<>();
    JobStore store = slowWatch(broker.store(), held);
    RecordingJobMetrics metrics = new RecordingJobMetrics();
    JobIndex index = new JobIndex(Clock.systemUTC(), Duration.ZERO);
    JobIndexRunner runner = new JobIndexRunner(index, store, metrics, Duration.ofMillis(50),
        java.util.Set.of("diag.echo"));
    ReadinessMonitor readiness = new ReadinessMonitor(new EmbeddedBackend(broker), metrics);
    readiness.track(List.of(runner));
    JobClient client = JobClient.builder(Broker.of(store, broker.queue(), broker.registry()),
        BuiltinOperations.registry()).metrics(metrics).index(index).build();
    runner.start();
    try {
      readiness.started(true);
      ReadinessMonitor.Snapshot s = readiness.refresh();
      assertThat(s.ready()).isFalse();
      assertThat(s.subsystems()).containsEntry(JobIndexRunner.SUBSYSTEM, false);
      assertThat(s.reasons().get(JobIndexRunner.SUBSYSTEM))
          .startsWith("the job index is reading the job store");
      assertThat(metrics.subsystems()).containsEntry("index", false);
      assertThat(org.assertj.core.api.Assertions.catchThrowable(
          () -> client.list(null, 10, 0, null)))
          .isInstanceOf(BackendUnavailableException.class);

      held.get().recordWritten(JobId.generate(Clock.systemUTC()),
          new JobWatch.RecordFacts(0, "diag.echo", "_any", 1, 1), Instant.now().toEpochMilli());
      held.get().caughtUp();
      s = readiness.refresh();
      assertThat(s.ready()).isTrue();
      assertThat(client.stats().total()).isEqualTo(1);
      Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10))
          .until(metrics::indexJobs, n -> n == 1);
      assertThat(metrics.indexBehind()).isZero();
    } finally {
      runner.stop(Instant.now());
    }
  }
}

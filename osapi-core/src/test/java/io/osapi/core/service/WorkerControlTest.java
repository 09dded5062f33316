package io.osapi.core.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.osapi.core.domain.SchedulingState;
import io.osapi.core.domain.WorkerInfo;
import io.osapi.core.service.JobClient.DrainOutcome;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What an operator lists or drains is the registry as stored now, even where the registry keeps
 * its reads for the hot path (another process's writes after a kept read).
 */
class WorkerControlTest {
  private final ReusingWorkerRegistry registry = new ReusingWorkerRegistry();
  private final WorkerControl control = new WorkerControl(registry, Clock.systemUTC());

  @Test
  void aWorkerThatLeftAfterAKeptReadIsNotListed() {
    registry.register(worker("w1"));
    registry.register(worker("w2"));
    assertThat(registry.workers()).extracting(WorkerInfo::id).containsExactly("w1", "w2");
    registry.store.deregister("w2"); // the worker stopped: its own process deleted its entry
    assertThat(registry.workers()).as("the kept read (the positive control)")
        .extracting(WorkerInfo::id).contains("w2");
    assertThat(control.workers()).extracting(WorkerInfo::id).containsExactly("w1");
    assertThat(control.workers(10, null).items()).extracting(WorkerInfo::id)
        .containsExactly("w1");
  }

  @Test
  void aWorkerThatRegisteredAfterAKeptReadCanBeDrained() {
    registry.register(worker("w1"));
    assertThat(registry.workers()).hasSize(1);
    registry.store.register(worker("w2")); // started since, in its own process
    assertThat(control.drain("w2")).isEqualTo(DrainOutcome.DONE);
    assertThat(control.drain("w3")).isEqualTo(DrainOutcome.UNKNOWN_WORKER);
  }

  private static WorkerInfo worker(String id) {
    Instant now = Instant.now();
    return new WorkerInfo(id, Map.of(), now, now, 0, 2, SchedulingState.READY, null, null, null,
        List.of());
  }
}

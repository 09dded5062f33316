package io.osapi.core.service;

import io.osapi.core.domain.WorkerInfo;
import io.osapi.core.domain.WorkerPage;
import io.osapi.core.port.WorkerRegistry;
import io.osapi.core.service.JobClient.DrainOutcome;
import java.time.Clock;
import java.util.List;

/**
 * The worker part of {@link JobClient} (which delegates to it): the workers in the heartbeat
 * registry, their drain requests, and their keys ({@link WorkerKeys}: which workers are trusted).
 * A drain or undrain names a registered worker, else it is {@link DrainOutcome#UNKNOWN_WORKER}
 * and nothing is recorded.
 */
final class WorkerControl {
  private final WorkerRegistry registry;
  private final WorkerKeys keys;

  WorkerControl(WorkerRegistry registry, Clock clock) {
    this.registry = registry;
    this.keys = new WorkerKeys(registry, clock);
  }

  /** See {@link JobClient#workers()}. */
  List<WorkerInfo> workers() {
    return fresh();
  }

  /** See {@link JobClient#workers(int, String)}. */
  WorkerPage workers(int limit, String after) {
    return WorkerPage.of(fresh(), limit, after);
  }

  /**
   * The registry as stored now, not a read kept for the hot path: an operator who stopped a
   * worker, or drains one that just started, sees that at once. Operators' reads are rare.
   */
  private List<WorkerInfo> fresh() {
    registry.forgetReads();
    return registry.workers();
  }

  /** See {@link JobClient#drain}. */
  DrainOutcome drain(String workerId) {
    if (!registered(workerId)) {
      return DrainOutcome.UNKNOWN_WORKER;
    }
    return registry.requestDrain(workerId) ? DrainOutcome.DONE : DrainOutcome.ALREADY;
  }

  /** See {@link JobClient#undrain}. */
  DrainOutcome undrain(String workerId) {
    if (!registered(workerId)) {
      return DrainOutcome.UNKNOWN_WORKER;
    }
    return registry.cancelDrain(workerId) ? DrainOutcome.DONE : DrainOutcome.ALREADY;
  }

  private boolean registered(String workerId) {
    return workerId != null && fresh().stream().anyMatch(w -> w.id().equals(workerId));
  }

  /** The workers' keys. */
  WorkerKeys keys() {
    return keys;
  }
}

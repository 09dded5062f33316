package io.osapi.core.domain;

import java.util.Collection;

/** A job's overall status, computed from its events. */
public enum JobStatus {
  SUBMITTED("submitted"),
  PROCESSING("processing"),
  COMPLETED("completed"),
  FAILED("failed"),
  PARTIAL_FAILURE("partial_failure");

  private final String wire;

  JobStatus(String wire) {
    this.wire = wire;
  }

  /** The lowercase name used in JSON and query parameters. */
  public String wire() {
    return wire;
  }

  /** Parses a status name, with a clear error listing the valid ones. */
  public static JobStatus fromWire(String wire) {
    for (JobStatus s : values()) {
      if (s.wire.equals(wire)) {
        return s;
      }
    }
    throw new InvalidInputException(
        "status",
        "unknown status '"
            + Names.abbreviate(String.valueOf(wire), 40)
            + "': use submitted, processing, completed, failed or partial_failure");
  }

  /**
   * Aggregates per-worker states (each the highest-priority event of that worker): no worker means
   * submitted; any worker acknowledged or started means processing; otherwise completed, failed or
   * partial_failure by the mix of terminal states. A worker that handed the job back ({@code
   * released}) counts for nothing: the job waits in the queue again.
   */
  public static JobStatus aggregate(Collection<EventType> workerStates) {
    return aggregate(workerStates, false);
  }

  /**
   * As {@link #aggregate(Collection)}; for a one-worker job ({@code _any}) a terminal state of any
   * worker decides, whatever another worker left behind: a worker killed mid-job never writes
   * {@code released}, and its stale {@code started} must not keep the job processing after the
   * redelivery finished elsewhere.
   */
  public static JobStatus aggregate(Collection<EventType> workerStates, boolean oneWorkerJob) {
    if (oneWorkerJob) {
      if (workerStates.contains(EventType.COMPLETED)) {
        return COMPLETED;
      }
      if (workerStates.contains(EventType.FAILED)) {
        return FAILED;
      }
    }
    int completed = 0;
    int failed = 0;
    for (EventType t : workerStates) {
      switch (t) {
        case COMPLETED -> completed++;
        case FAILED -> failed++;
        case ACKNOWLEDGED, STARTED -> {
          return PROCESSING;
        }
        default -> {}
      }
    }
    if (completed + failed == 0) {
      return SUBMITTED;
    }
    if (failed == 0) {
      return COMPLETED;
    }
    return completed == 0 ? FAILED : PARTIAL_FAILURE;
  }
}

package io.osapi.core.domain;

import java.util.Collection;

/** A job's overall status, computed from its runs. */
public enum JobStatus {
  SUBMITTED("submitted"),
  PROCESSING("processing"),
  COMPLETED("completed"),
  FAILED("failed"),
  PARTIAL_FAILURE("partial_failure"),
  /** A cancel ended at least one of its runs; runs that had finished keep their result. */
  CANCELLED("cancelled");

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
            + "': use submitted, processing, completed, failed, partial_failure or cancelled");
  }

  /** True for every status but submitted and processing: the job does nothing more. */
  public boolean terminal() {
    return this != SUBMITTED && this != PROCESSING;
  }

  /**
   * The status of an {@code _any} job from its one run: none (or handed back and waiting) is
   * submitted, running is processing, terminal states map to themselves.
   */
  public static JobStatus of(RunState run) {
    if (run == null || run == RunState.RELEASED) {
      return SUBMITTED;
    }
    return switch (run) {
      case RUNNING -> PROCESSING;
      case COMPLETED -> COMPLETED;
      case CANCELLED -> CANCELLED;
      default -> FAILED;
    };
  }

  /**
   * The status of a broadcast job from the runs of its {@code expected} workers ({@code runs}
   * holds the states of those that claimed it, so {@code runs.size() <= expected}): every expected
   * run terminal decides completed, failed or partial_failure by the mix (cancelled when a cancel
   * ended any of them, partial_failure when a rolling broadcast skipped any, {@link Rollout});
   * none started (or all
   * handed back) is submitted; anything else is processing.
   */
  public static JobStatus aggregate(Collection<RunState> runs, int expected) {
    int completed = 0;
    int failed = 0;
    int active = 0;
    int cancelled = 0;
    int skipped = 0;
    for (RunState s : runs) {
      switch (s) {
        case COMPLETED -> completed++;
        case FAILED -> failed++;
        case CANCELLED -> cancelled++;
        case SKIPPED -> skipped++;
        case RUNNING -> active++;
        default -> {}
      }
    }
    if (completed + failed + cancelled + skipped >= expected && expected > 0) {
      if (cancelled > 0) {
        return CANCELLED;
      }
      if (skipped > 0) {
        return PARTIAL_FAILURE; // a rollout stopped: some workers never ran it
      }
      if (failed == 0) {
        return COMPLETED;
      }
      return completed == 0 ? FAILED : PARTIAL_FAILURE;
    }
    if (active == 0 && completed + failed + cancelled + skipped == 0) {
      return SUBMITTED;
    }
    return PROCESSING;
  }
}

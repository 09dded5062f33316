package io.osapi.core.domain;

/**
 * The state of one run of a job: the attempt of the one worker that holds an {@code _any} job, or
 * of one expected worker of a broadcast job. A run that does not exist yet is waiting in the queue.
 */
public enum RunState {
  /** A worker claimed it and is running it. */
  RUNNING("running"),
  /** The worker handed it back to the queue (transient failure, shutdown): it waits again. */
  RELEASED("released"),
  /** Finished successfully. */
  COMPLETED("completed"),
  /** Finished with a failure, or given up on (dead-lettered). */
  FAILED("failed"),
  /**
   * Ended by a cancel request before it finished (written by the controller that took the
   * request; the worker that held it stops the operation and drops its outcome).
   */
  CANCELLED("cancelled"),
  /**
   * Never released to its worker: a rolling broadcast ({@link Rollout}) stopped on failures, or
   * was cancelled or timed out, before this worker's turn (written by a controller).
   */
  SKIPPED("skipped");

  private final String wire;

  RunState(String wire) {
    this.wire = wire;
  }

  /** The lowercase name used in records and JSON. */
  public String wire() {
    return wire;
  }

  /** True for completed, failed, cancelled and skipped. */
  public boolean terminal() {
    return this == COMPLETED || this == FAILED || this == CANCELLED || this == SKIPPED;
  }

  /** The state for a name written by {@link #wire()}. */
  public static RunState fromWire(String wire) {
    for (RunState s : values()) {
      if (s.wire.equals(wire)) {
        return s;
      }
    }
    throw new InvalidInputException(
        "state", "unknown run state '" + Names.abbreviate(String.valueOf(wire), 40) + "'");
  }
}

package io.osapi.core.domain;

/** How one processing attempt ended, as the metrics see it. */
public enum JobOutcome {
  /** Succeeded: the job is completed. */
  COMPLETED("completed"),
  /** Failed for good: the job is failed. */
  FAILED("failed"),
  /**
   * Handed back to the queue (transient failure or shutdown): the job will run again, so it is not
   * counted as finished.
   */
  RELEASED("released"),
  /** Stopped by a cancel of its run: the job is cancelled, its outcome dropped. */
  CANCELLED("cancelled");

  private final String wire;

  JobOutcome(String wire) {
    this.wire = wire;
  }

  /** The {@code status} label value. */
  public String wire() {
    return wire;
  }
}

package io.osapi.core.domain;

/**
 * Whether a worker takes new jobs: {@link #READY}; {@link #DRAINING} (asked to drain, still
 * finishing what it runs); {@link #CORDONED} (drained: runs nothing and takes nothing until
 * undrained). Draining and cordoned workers are not expected responders of broadcast jobs.
 */
public enum SchedulingState {
  /** Takes new jobs. */
  READY("ready"),
  /** Takes no new jobs, finishes the ones it runs. */
  DRAINING("draining"),
  /** Takes no new jobs and runs none. */
  CORDONED("cordoned");

  private final String wire;

  SchedulingState(String wire) {
    this.wire = wire;
  }

  /** The lowercase name used in records, JSON and metrics. */
  public String wire() {
    return wire;
  }

  /** The state for a name written by {@link #wire()}. */
  public static SchedulingState fromWire(String wire) {
    for (SchedulingState s : values()) {
      if (s.wire.equals(wire)) {
        return s;
      }
    }
    throw new InvalidInputException(
        "state", "unknown worker state '" + Names.abbreviate(String.valueOf(wire), 40) + "'");
  }
}

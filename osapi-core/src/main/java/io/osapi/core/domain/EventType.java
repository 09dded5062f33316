package io.osapi.core.domain;

/**
 * Status events, with the priority that decides a worker's state: the event of highest priority
 * wins, whatever order the events are read in; between events of equal priority the later one
 * wins ({@code released} after {@code started}: the attempt was handed back; {@code started} after
 * {@code released}: the worker took the job up again).
 */
public enum EventType {
  SUBMITTED("submitted", 0),
  ACKNOWLEDGED("acknowledged", 1),
  STARTED("started", 2),
  /** A worker handed the job back to the queue (transient failure, shutdown) without finishing. */
  RELEASED("released", 2),
  FAILED("failed", 3),
  COMPLETED("completed", 4),
  RETRIED("retried", 4);

  private final String wire;
  private final int priority;

  EventType(String wire, int priority) {
    this.wire = wire;
    this.priority = priority;
  }

  /** The lowercase name used in keys and JSON. */
  public String wire() {
    return wire;
  }

  /** Higher wins when computing a worker's state. */
  public int priority() {
    return priority;
  }

  /** True for completed and failed. */
  public boolean terminal() {
    return this == COMPLETED || this == FAILED;
  }

  /** The event for a name written by {@link #wire()}. */
  public static EventType fromWire(String wire) {
    for (EventType t : values()) {
      if (t.wire.equals(wire)) {
        return t;
      }
    }
    throw new InvalidInputException("event", "unknown event '" + Names.abbreviate(wire, 40) + "'");
  }
}

package io.osapi.core.domain;

/**
 * What a store can tell about an event from its key alone, without reading the value: enough to
 * compute a job's status for listing and stats.
 *
 * @param type the event
 * @param worker the (sanitised) worker id or {@code _api}
 * @param unixNanos when it was written, in nanoseconds since the epoch (orders events of equal
 *     priority)
 */
public record EventKey(EventType type, String worker, long unixNanos) {
  /** A key whose time is unknown (ordered first). */
  public EventKey(EventType type, String worker) {
    this(type, worker, 0L);
  }

  /** Nanoseconds since the epoch of {@code t}. */
  public static long nanos(java.time.Instant t) {
    return t.getEpochSecond() * 1_000_000_000L + t.getNano();
  }
}

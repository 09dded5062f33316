package io.osapi.core.domain;

import java.time.Duration;
import java.util.Objects;

/**
 * A worker cannot register: another live process holds its id (its heartbeat has not expired and
 * its process is not known to be gone). The message names that process.
 */
public class WorkerIdInUseException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final transient WorkerInfo live;

  /**
   * @param live the live entry that holds the id
   * @param age how old that entry is, on the registry's clock
   * @param ttl how long an entry lives without a heartbeat
   */
  public WorkerIdInUseException(WorkerInfo live, Duration age, Duration ttl) {
    super(message(Objects.requireNonNull(live, "live"), age, ttl));
    this.live = live;
  }

  /** The live entry that holds the id. */
  public WorkerInfo live() {
    return live;
  }

  private static String message(WorkerInfo w, Duration age, Duration ttl) {
    String who = w.process() == null ? "an osapi without process details" : w.process().describe();
    return "worker id " + w.id() + " is in use by a live process (" + who + ", started "
        + w.started() + ", last heartbeat " + Math.max(0, age.toSeconds()) + " s ago): stop that"
        + " process, or give this one another --worker-id; a crashed one's entry expires "
        + ttl.toSeconds() + " s after its last heartbeat";
  }
}

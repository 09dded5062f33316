package io.osapi.core.domain;

import java.time.Duration;
import java.util.Objects;

/**
 * The jobs of one operation that no worker has started yet, as a controller's job index holds
 * them (status {@link JobStatus#SUBMITTED}: never claimed, or handed back and waiting again).
 *
 * @param pending how many there are
 * @param oldestAge how long the oldest of them has waited since it was created; zero when none
 */
public record OperationQueue(long pending, Duration oldestAge) {
  /** The label of the operations that are not registered (their jobs are counted together). */
  public static final String OTHER = "other";

  /** No job waiting. */
  public static final OperationQueue EMPTY = new OperationQueue(0, Duration.ZERO);

  /** Checks the values. */
  public OperationQueue {
    Objects.requireNonNull(oldestAge, "oldestAge");
    if (pending < 0 || oldestAge.isNegative()) {
      throw new IllegalArgumentException("pending and oldestAge must not be negative");
    }
  }
}

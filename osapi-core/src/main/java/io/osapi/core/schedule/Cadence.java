package io.osapi.core.schedule;

import java.time.Instant;
import java.util.Optional;

/** When a schedule's ticks fall. Implementations are immutable and thread-safe. */
@FunctionalInterface
public interface Cadence {
  /** The first tick strictly after {@code after}, or empty when there is none (ever again). */
  Optional<Instant> next(Instant after);
}

package io.osapi.app.runtime;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A part of a process with a start and a stop: a server, the worker, a background task. {@link
 * AppProcess} starts the parts in order and stops them in reverse order.
 */
public interface Managed {
  /** A short name for logs. */
  String name();

  /**
   * Starts the part. A part that cannot work yet (its backend is down) starts anyway and catches up
   * in the background, reporting itself unhealthy meanwhile.
   *
   * @throws Exception when it cannot start at all (address in use ...)
   */
  void start() throws Exception;

  /** Stops the part, using at most the time left until {@code deadline}. Never throws. */
  void stop(Instant deadline);

  /** The readiness subsystem the part counts towards ({@code http}, {@code worker}), if any. */
  default Optional<String> subsystem() {
    return Optional.empty();
  }

  /** Whether the part works right now. */
  default boolean healthy() {
    return true;
  }

  /** Why the part is not healthy, for {@code /health/ready}, when it knows. */
  default Optional<String> problem() {
    return Optional.empty();
  }

  /** Lines for the start-up banner: where the part listens or what it does. */
  default List<String> describe() {
    return List.of();
  }
}

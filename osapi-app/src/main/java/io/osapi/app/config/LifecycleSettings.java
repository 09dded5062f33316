package io.osapi.app.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Timing of a process's background work and shutdown.
 *
 * @param drainTimeout how long a stop waits for running jobs before handing them back
 * @param refreshInterval how often the controller refreshes queue backlog and heartbeat ages
 * @param readinessInterval how often readiness (backend connection) is re-checked
 */
public record LifecycleSettings(
    Duration drainTimeout, Duration refreshInterval, Duration readinessInterval) {
  /** Checks for nulls and positive intervals. */
  public LifecycleSettings {
    Objects.requireNonNull(drainTimeout, "drainTimeout");
    Objects.requireNonNull(refreshInterval, "refreshInterval");
    Objects.requireNonNull(readinessInterval, "readinessInterval");
    if (drainTimeout.isNegative()) {
      throw new ConfigException("--drain-timeout", "must not be negative");
    }
    if (refreshInterval.isNegative() || refreshInterval.isZero()) {
      throw new ConfigException("--refresh-interval", "must be more than zero");
    }
    if (readinessInterval.isNegative() || readinessInterval.isZero()) {
      throw new IllegalArgumentException("readinessInterval must be positive");
    }
  }

  /** Drain 30 s, refresh every 5 s, readiness every second. */
  public static LifecycleSettings defaults() {
    return new LifecycleSettings(
        Duration.ofSeconds(30), Duration.ofSeconds(5), Duration.ofSeconds(1));
  }
}

package io.osapi.adapter.nats;

import io.osapi.core.port.ConnectionMetrics;
import io.osapi.core.port.HealthMetrics;

/**
 * What a backend last reported of its connection ({@link ConnectionMetrics#connectionUp}) and its
 * readiness (subsystem {@code nats}, {@link HealthMetrics#subsystemUp}): reported on changes only,
 * so repeated or late connection events change nothing. Not thread-safe: its backend calls it
 * with its state lock held.
 */
final class NatsStatusReport {
  private final ConnectionMetrics metrics;
  private final HealthMetrics health;
  private boolean connected;
  private boolean ready;

  NatsStatusReport(ConnectionMetrics metrics, HealthMetrics health) {
    this.metrics = metrics;
    this.health = health;
  }

  /** Reports down and not ready, whatever was reported before (at start). */
  void reset() {
    connected = false;
    ready = false;
    metrics.connectionUp(false);
    health.subsystemUp("nats", false);
  }

  /** Reports what changed of {@code up} and {@code nowReady}. */
  void report(boolean up, boolean nowReady) {
    if (up != connected) {
      connected = up;
      metrics.connectionUp(up);
    }
    if (nowReady != ready) {
      ready = nowReady;
      health.subsystemUp("nats", nowReady);
    }
  }

  /** Whether the connection was last reported up. */
  boolean connected() {
    return connected;
  }
}

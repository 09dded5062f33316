package io.osapi.core.port;

/**
 * Where a backend adapter reports the state of its connection to the broker, for metrics (the
 * OpenTelemetry adapter exports them as {@code osapi_nats_connected} and {@code
 * osapi_nats_reconnects_total}, the one broker with a connection today).
 *
 * <p>Implementations must never throw and never block on I/O: connection events arrive on the
 * client library's threads. Use {@link #noop()} when metrics are not wanted.
 */
public interface ConnectionMetrics {

  /** The connection is up or down (idempotent: repeated calls change nothing). */
  void connectionUp(boolean up);

  /** The connection came back after a loss (not a first connection, not a failed attempt). */
  void reconnected();

  /** A {@link ConnectionMetrics} that records nothing. */
  static ConnectionMetrics noop() {
    return Noop.INSTANCE;
  }

  /** The no-op implementation behind {@link #noop()}. */
  enum Noop implements ConnectionMetrics {
    /** The only instance. */
    INSTANCE;

    @Override
    public void connectionUp(boolean up) {}

    @Override
    public void reconnected() {}
  }
}

package io.osapi.app.runtime;

/**
 * Flushes and closes the metrics backend of a process (a last OTLP push, the SDK shut down). Called
 * once, when the process stops, after every part has stopped and before the backend is closed.
 */
@FunctionalInterface
public interface MetricsShutdown {
  /** Flushes and closes; must not throw. */
  void flushAndClose();
}

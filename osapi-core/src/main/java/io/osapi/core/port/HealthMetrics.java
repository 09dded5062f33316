package io.osapi.core.port;

/**
 * Where a process reports its health, for metrics: each subsystem's state ({@code
 * osapi_subsystem_up}) and whether the whole process is ready ({@code osapi_component_up}).
 *
 * <p>Implementations must never throw and never block on I/O; they export at most a bounded number
 * of subsystems. Use {@link #noop()} when metrics are not wanted.
 */
public interface HealthMetrics {

  /** Whether a subsystem ({@code nats}, {@code http}, {@code worker}, ...) is ok. */
  void subsystemUp(String subsystem, boolean up);

  /** Whether the whole process is ready. */
  void componentUp(boolean up);

  /** A {@link HealthMetrics} that records nothing. */
  static HealthMetrics noop() {
    return Noop.INSTANCE;
  }

  /** The no-op implementation behind {@link #noop()}. */
  enum Noop implements HealthMetrics {
    /** The only instance. */
    INSTANCE;

    @Override
    public void subsystemUp(String subsystem, boolean up) {}

    @Override
    public void componentUp(boolean up) {}
  }
}

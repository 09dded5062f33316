package io.osapi.app.runtime;

import io.osapi.core.port.Broker;
import java.util.Optional;

/**
 * A {@link Broker} with what the process reports of it (readiness, a line for people): the
 * embedded broker or a NATS connection. Owns the connection; closed last when the process stops.
 */
public interface Backend extends Broker {
  /**
   * The schedules: a map in this process on the embedded broker, bucket {@code osapi-schedules} on
   * NATS (a controller's: workers may not use it).
   */
  io.osapi.core.schedule.ScheduleStore schedules();

  /**
   * The idempotency keys every controller on this backend shares: bucket {@code
   * osapi-idempotency} on NATS (a controller's: workers may not use it); empty on the embedded
   * broker, whose keys are kept in this process's memory.
   */
  default Optional<io.osapi.core.port.IdempotencyKeys> idempotencyKeys() {
    return Optional.empty();
  }

  /** Whether the store and queue can be reached now (the embedded broker always can). */
  boolean connected();

  /** The readiness subsystem this backend reports as ({@code nats}), or empty for none. */
  Optional<String> subsystem();

  /** What is wrong while it is not connected (never a secret), if known. */
  default Optional<String> problem() {
    return Optional.empty();
  }

  /** One line for people: what the backend is and where. */
  String describe();

  /** Closes the connection; idempotent, never throws. */
  @Override
  void close();
}

package io.osapi.app.runtime;

import io.osapi.core.port.JobQueue;
import io.osapi.core.port.JobStore;
import io.osapi.core.port.WorkerRegistry;
import java.util.Optional;

/**
 * Where jobs, notifications and heartbeats live: the embedded broker or a NATS connection. Owns the
 * connection; closed last when the process stops.
 */
public interface Backend extends AutoCloseable {
  /** The job store. */
  JobStore store();

  /** The job queue. */
  JobQueue queue();

  /** The worker registry. */
  WorkerRegistry registry();

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

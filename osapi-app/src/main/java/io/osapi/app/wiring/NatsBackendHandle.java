package io.osapi.app.wiring;

import io.osapi.adapter.nats.NatsBackend;
import io.osapi.adapter.nats.NatsIdempotency;
import io.osapi.adapter.nats.NatsSchedules;
import io.osapi.app.runtime.Backend;
import io.osapi.core.audit.AuditLog;
import io.osapi.core.port.JobQueue;
import io.osapi.core.port.JobStore;
import io.osapi.core.port.WorkerRegistry;
import io.osapi.core.schedule.ScheduleStore;
import java.util.Objects;
import java.util.Optional;

/**
 * A NATS connection as a {@link Backend}: connected when the connection is up with the stream and
 * buckets in place ({@link NatsBackend#isReady()}).
 */
final class NatsBackendHandle implements Backend {
  private final NatsBackend nats;
  private final ScheduleStore schedules;
  private final io.osapi.core.port.IdempotencyKeys idempotencyKeys;

  /** @param nats the NATS backend, connecting or connected */
  NatsBackendHandle(NatsBackend nats) {
    this.nats = Objects.requireNonNull(nats, "nats");
    this.schedules = NatsSchedules.store(nats);
    this.idempotencyKeys = NatsIdempotency.keys(nats);
  }

  @Override
  public JobStore store() {
    return nats.store();
  }

  @Override
  public JobQueue queue() {
    return nats.queue();
  }

  @Override
  public WorkerRegistry registry() {
    return nats.registry();
  }

  @Override
  public AuditLog audit() {
    return nats.audit();
  }

  @Override
  public ScheduleStore schedules() {
    return schedules;
  }

  @Override
  public Optional<io.osapi.core.port.IdempotencyKeys> idempotencyKeys() {
    return Optional.of(idempotencyKeys);
  }

  @Override
  public boolean connected() {
    return nats.isReady();
  }

  @Override
  public Optional<String> subsystem() {
    return Optional.of("nats");
  }

  @Override
  public Optional<String> problem() {
    return nats.lastError().or(() -> Optional.of("not connected"));
  }

  @Override
  public String describe() {
    return "NATS " + String.join(",", nats.settings().redactedServers()) + " (auth "
        + nats.settings().authKind() + (nats.settings().tls() ? ", TLS" : "") + ")"
        + (nats.isReady() ? "" : " - not connected yet, retrying");
  }

  @Override
  public void close() {
    nats.close();
  }
}

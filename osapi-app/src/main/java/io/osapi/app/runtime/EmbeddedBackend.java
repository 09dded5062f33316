package io.osapi.app.runtime;

import io.osapi.core.audit.AuditLog;
import io.osapi.core.memory.InMemoryBroker;
import io.osapi.core.port.JobQueue;
import io.osapi.core.port.JobStore;
import io.osapi.core.port.WorkerRegistry;
import java.util.Objects;
import java.util.Optional;

/** The embedded in-memory broker as a {@link Backend}: always connected, nothing to close. */
public final class EmbeddedBackend implements Backend {
  private final InMemoryBroker broker;
  private final io.osapi.core.schedule.InMemoryScheduleStore schedules =
      new io.osapi.core.schedule.InMemoryScheduleStore();

  /** @param broker the broker */
  public EmbeddedBackend(InMemoryBroker broker) {
    this.broker = Objects.requireNonNull(broker, "broker");
  }

  @Override
  public JobStore store() {
    return broker.store();
  }

  @Override
  public JobQueue queue() {
    return broker.queue();
  }

  @Override
  public WorkerRegistry registry() {
    return broker.registry();
  }

  @Override
  public AuditLog audit() {
    return broker.audit();
  }

  @Override
  public io.osapi.core.schedule.ScheduleStore schedules() {
    return schedules;
  }

  @Override
  public boolean connected() {
    return true;
  }

  @Override
  public Optional<String> subsystem() {
    return Optional.empty();
  }

  @Override
  public String describe() {
    var l = broker.store().limits();
    return "embedded in-memory broker (jobs live in this process only"
        + (l.maxJobs() == Long.MAX_VALUE && l.maxBytes() == Long.MAX_VALUE ? ""
            : "; at most " + l.maxJobs() + " jobs and about " + (l.maxBytes() >> 20)
                + " MiB of job data")
        + "; the last " + broker.audit().capacity() + " audit records)";
  }

  @Override
  public void close() {}
}

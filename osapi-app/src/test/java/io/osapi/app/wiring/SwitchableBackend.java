package io.osapi.app.wiring;

import io.osapi.app.runtime.Backend;
import io.osapi.app.runtime.EmbeddedBackend;
import io.osapi.core.domain.BackendUnavailableException;
import io.osapi.core.memory.InMemoryBroker;
import io.osapi.core.port.JobQueue;
import io.osapi.core.port.JobStore;
import io.osapi.core.port.WorkerRegistry;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The embedded broker behind a switch, standing in for a NATS server that is not there yet: while
 * switched off it reports not connected (subsystem {@code nats}) and writes fail as NATS's would.
 */
public final class SwitchableBackend implements Backend {
  private final EmbeddedBackend inner;
  private final AtomicBoolean up;

  /** @param initiallyUp whether the backend starts connected */
  public SwitchableBackend(Clock clock, boolean initiallyUp) {
    this.inner = new EmbeddedBackend(InMemoryBroker.create(clock));
    this.up = new AtomicBoolean(initiallyUp);
  }

  /** Connects or disconnects. */
  public void set(boolean connected) {
    up.set(connected);
  }

  @Override
  public JobStore store() {
    JobStore real = inner.store();
    // writes fail while switched off, as NATS's would; reads and the watch go through
    return (JobStore) java.lang.reflect.Proxy.newProxyInstance(JobStore.class.getClassLoader(),
        new Class<?>[] {JobStore.class}, (p, m, args) -> {
          if (java.util.Set.of("create", "update", "putRun", "delete").contains(m.getName())) {
            check();
          }
          try {
            return m.invoke(real, args);
          } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  @Override
  public io.osapi.core.schedule.ScheduleStore schedules() {
    return inner.schedules();
  }

  @Override
  public io.osapi.core.audit.AuditLog audit() {
    io.osapi.core.audit.AuditLog a = inner.audit();
    // appends fail and reads throw while switched off, as NATS's would
    return new io.osapi.core.audit.AuditLog() {
      @Override
      public java.util.concurrent.CompletableFuture<Void> append(
          io.osapi.core.audit.AuditRecord record) {
        if (!up.get()) {
          return java.util.concurrent.CompletableFuture.failedFuture(
              new BackendUnavailableException("switched off", null));
        }
        return a.append(record);
      }

      @Override
      public io.osapi.core.audit.AuditPage list(io.osapi.core.audit.AuditQuery query) {
        check();
        return a.list(query);
      }

      @Override
      public long export(java.time.Instant since,
          java.util.function.Consumer<io.osapi.core.audit.AuditRecord> sink) {
        check();
        return a.export(since, sink);
      }
    };
  }

  @Override
  public JobQueue queue() {
    JobQueue q = inner.queue();
    return new JobQueue() {
      @Override
      public java.util.concurrent.CompletableFuture<Void> publish(
          io.osapi.core.domain.JobNotification notification) {
        check();
        return q.publish(notification);
      }

      @Override
      public java.time.Duration deduplicationWindow() {
        return q.deduplicationWindow();
      }

      @Override
      public AutoCloseable onExhausted(
          java.util.function.Consumer<io.osapi.core.domain.ExhaustedDelivery> handler) {
        check();
        return q.onExhausted(handler);
      }

      @Override
      public java.util.concurrent.CompletableFuture<Void> scheduleDeadline(
          io.osapi.core.domain.JobDeadline deadline) {
        check();
        return q.scheduleDeadline(deadline);
      }

      @Override
      public AutoCloseable onDeadline(
          java.util.function.Consumer<io.osapi.core.domain.JobDeadline> handler) {
        check();
        return q.onDeadline(handler);
      }

      @Override
      public io.osapi.core.port.JobConsumer consumer(io.osapi.core.domain.ConsumerSpec spec) {
        check();
        return q.consumer(spec);
      }

      @Override
      public io.osapi.core.domain.QueueBacklog backlog() {
        check();
        return q.backlog();
      }
    };
  }

  private void check() {
    if (!up.get()) {
      throw new BackendUnavailableException("switched off", null);
    }
  }

  @Override
  public WorkerRegistry registry() {
    return inner.registry();
  }

  @Override
  public boolean connected() {
    return up.get();
  }

  @Override
  public Optional<String> subsystem() {
    return Optional.of("nats");
  }

  @Override
  public Optional<String> problem() {
    return up.get() ? Optional.empty() : Optional.of("switched off by the test");
  }

  @Override
  public String describe() {
    return "switchable embedded broker";
  }

  @Override
  public void close() {}
}

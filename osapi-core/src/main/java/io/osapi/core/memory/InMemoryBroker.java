package io.osapi.core.memory;

import io.osapi.core.audit.InMemoryAuditLog;
import io.osapi.core.port.Broker;
import java.time.Clock;
import java.time.Duration;

/**
 * The embedded broker: an in-memory job store, queue, worker registry and audit log that behave
 * like the NATS ones (and pass the same contract tests), for embedding osapi in one process and
 * for tests.
 *
 * @param store the job store
 * @param queue the job queue
 * @param registry the worker registry (heartbeat TTL 30 s)
 * @param audit the audit log: a ring of {@link InMemoryAuditLog#DEFAULT_CAPACITY} records unless
 *     made with {@link #withAudit}
 */
public record InMemoryBroker(InMemoryJobStore store, InMemoryJobQueue queue,
    InMemoryWorkerRegistry registry, InMemoryAuditLog audit) implements Broker {

  /** A broker of these ports with a new audit ring of the default capacity. */
  public InMemoryBroker(InMemoryJobStore store, InMemoryJobQueue queue,
      InMemoryWorkerRegistry registry) {
    this(store, queue, registry, new InMemoryAuditLog());
  }

  /** This broker with {@code audit} as its audit log (a ring of another capacity or max age). */
  public InMemoryBroker withAudit(InMemoryAuditLog audit) {
    return new InMemoryBroker(store, queue, registry, audit);
  }

  /** A new, empty broker on {@code clock} that keeps jobs for ever. */
  public static InMemoryBroker create(Clock clock) {
    return create(clock, Duration.ZERO);
  }

  /**
   * A new, empty broker on {@code clock}.
   *
   * @param jobRetention how long a job record or run stays after its last write (as the NATS
   *     bucket's max age); zero for ever
   */
  public static InMemoryBroker create(Clock clock, Duration jobRetention) {
    return create(clock, jobRetention, StoreLimits.NONE);
  }

  /**
   * A new, empty, bounded broker on {@code clock}.
   *
   * @param jobRetention how long a job record or run stays after its last write (as the NATS
   *     bucket's max age); zero for ever
   * @param limits the size bound of the job store: past it, new jobs are refused with {@link
   *     io.osapi.core.domain.StoreFullException}. The queue keeps as many notifications as the
   *     store may hold jobs ({@link #queueLimit}), so a backlog of every job stored loses none
   */
  public static InMemoryBroker create(Clock clock, Duration jobRetention, StoreLimits limits) {
    return new InMemoryBroker(
        new InMemoryJobStore(clock, jobRetention, limits),
        new InMemoryJobQueue(clock, queueLimit(limits), InMemoryJobQueue.DEFAULT_DEDUP_WINDOW),
        new InMemoryWorkerRegistry(clock, Duration.ofSeconds(30)));
  }

  /**
   * The notifications the queue of a store bounded by {@code limits} keeps at most: its job limit,
   * at least {@link InMemoryJobQueue#DEFAULT_MAX_MESSAGES}. The queue drops the oldest past its
   * limit (as a JetStream limits stream discards old messages), so a smaller limit than the
   * store's would lose the notifications of jobs stored and never delivered: a backlog of more
   * than that many jobs, which the store then still holds as submitted, would never run.
   */
  static int queueLimit(StoreLimits limits) {
    return (int) Math.min(Integer.MAX_VALUE,
        Math.max(InMemoryJobQueue.DEFAULT_MAX_MESSAGES, limits.maxJobs()));
  }

  /** A new, empty broker on the system clock. */
  public static InMemoryBroker create() {
    return create(Clock.systemUTC());
  }

  /**
   * Nothing to release: the queue's timer thread ends by itself when idle, and the data goes with
   * the last reference to this broker.
   */
  @Override
  public void close() {}
}

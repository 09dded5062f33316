package io.osapi.core.port;

import io.osapi.core.audit.AuditLog;

/**
 * Where jobs, their notifications, the workers' heartbeats and the audit trail live: the ports a
 * job client, a worker and the API need, from one place. The embedded broker ({@code
 * io.osapi.core.memory.InMemoryBroker}) and the NATS adapter implement it; a job client and a
 * worker are built from one ({@code JobClient.builder(broker, operations)}, {@code
 * WorkerService.builder(broker, operations)}).
 *
 * <p>The broker owns what its ports share (a connection, threads): closing it ends all of them.
 * Close the job clients and workers built on it first.
 */
public interface Broker extends AutoCloseable {
  /** The job store: one record per job, runs changed by compare-and-set. */
  JobStore store();

  /** The job queue: notifications, deliveries, deadlines and dead letters. */
  JobQueue queue();

  /** The worker registry: heartbeats and drain requests. */
  WorkerRegistry registry();

  /**
   * The audit trail: the embedded broker keeps a bounded ring ({@code
   * io.osapi.core.audit.InMemoryAuditLog}), NATS a stream with a max age and a byte limit.
   */
  AuditLog audit();

  /** Releases the connection and threads of this broker; idempotent, never throws. */
  @Override
  void close();

  /**
   * A broker of three given ports, for one of them decorated (a test's wrapped queue, say), with
   * a fresh, empty audit log of its own: an {@code io.osapi.core.audit.InMemoryAuditLog} of the
   * default capacity (100,000 records). Closing it closes none of the ports (their owner does).
   */
  static Broker of(JobStore store, JobQueue queue, WorkerRegistry registry) {
    return of(store, queue, registry, new io.osapi.core.audit.InMemoryAuditLog());
  }

  /**
   * A broker of four given ports; closing it closes none of them (their owner does).
   */
  static Broker of(JobStore store, JobQueue queue, WorkerRegistry registry, AuditLog audit) {
    java.util.Objects.requireNonNull(audit, "audit");
    java.util.Objects.requireNonNull(store, "store");
    java.util.Objects.requireNonNull(queue, "queue");
    java.util.Objects.requireNonNull(registry, "registry");
    return new Broker() {
      @Override
      public JobStore store() {
        return store;
      }

      @Override
      public JobQueue queue() {
        return queue;
      }

      @Override
      public WorkerRegistry registry() {
        return registry;
      }

      @Override
      public AuditLog audit() {
        return audit;
      }

      @Override
      public void close() {}
    };
  }
}

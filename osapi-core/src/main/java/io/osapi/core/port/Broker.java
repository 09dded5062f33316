package io.osapi.core.port;

/**
 * Where jobs, their notifications and the workers' heartbeats live: the three ports a job client
 * and a worker need, from one place. The embedded broker ({@code
 * io.osapi.core.memory.InMemoryBroker}) and the NATS adapter implement it; a job client and a
 * worker are built from one ({@code JobClient.builder(broker, operations)}, {@code
 * WorkerService.builder(broker, operations)}).
 *
 * <p>The broker owns what its ports share (a connection, threads): closing it ends all three.
 * Close the job clients and workers built on it first.
 */
public interface Broker extends AutoCloseable {
  /** The job store: one record per job, runs changed by compare-and-set. */
  JobStore store();

  /** The job queue: notifications, deliveries, deadlines and dead letters. */
  JobQueue queue();

  /** The worker registry: heartbeats and drain requests. */
  WorkerRegistry registry();

  /** Releases the connection and threads of this broker; idempotent, never throws. */
  @Override
  void close();

  /**
   * A broker of three given ports, for one of them decorated (a test's wrapped queue, say);
   * closing it closes none of them (their owner does).
   */
  static Broker of(JobStore store, JobQueue queue, WorkerRegistry registry) {
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
      public void close() {}
    };
  }
}

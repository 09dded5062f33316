package io.osapi.adapter.nats;

import io.osapi.core.concurrent.DaemonThreads;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The daemon thread that runs delayed work of the adapter off jnats' threads: publishes tried
 * again after an unknown outcome, removal of records whose create had an unknown outcome, watches
 * started again. Only failures get here; the steady state never hops threads. Owned by its {@link
 * NatsBackend}, which closes it; work handed to it after that runs at once on the caller's thread,
 * so that whatever waits on it is completed (with the closed connection's error).
 */
final class NatsRetry implements AutoCloseable {
  private final ScheduledExecutorService thread;

  /** The thread {@code osapi-nats-retry}. */
  NatsRetry() {
    this("osapi-nats-retry");
  }

  /** A thread of its own, named {@code name}: for work that may block on reads for seconds. */
  NatsRetry(String name) {
    thread = Executors.newSingleThreadScheduledExecutor(DaemonThreads.single(name));
  }

  /** Runs {@code task} after {@code delayMs}. */
  void schedule(Runnable task, long delayMs) {
    try {
      thread.schedule(task, delayMs, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      task.run(); // closed: the task fails fast on the closed connection
    }
  }

  /** Runs {@code task} soon. */
  void execute(Runnable task) {
    schedule(task, 0);
  }

  /** Drops the tasks still waiting and ends the thread. */
  @Override
  public void close() {
    thread.shutdownNow();
  }
}

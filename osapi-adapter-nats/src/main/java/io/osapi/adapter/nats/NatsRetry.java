package io.osapi.adapter.nats;

import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The one daemon thread that runs delayed work of the adapter off jnats' threads: publishes tried
 * again after an unknown outcome, removal of records whose create had an unknown outcome. Only
 * failures get here; the steady state never hops threads.
 */
final class NatsRetry {
  private static final ScheduledExecutorService RETRY =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "osapi-nats-retry");
            t.setDaemon(true);
            return t;
          });

  private NatsRetry() {}

  /** Runs {@code task} after {@code delayMs}. */
  static void schedule(Runnable task, long delayMs) {
    try {
      RETRY.schedule(task, delayMs, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // never shut down; nothing to do
    }
  }

  /** Runs {@code task} soon. */
  static void execute(Runnable task) {
    schedule(task, 0);
  }
}

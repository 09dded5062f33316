package io.osapi.app.runtime;

import io.osapi.core.concurrent.DaemonThreads;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Starts a part that needs its backend: tries at once, and when that does not work, again every
 * second on a daemon thread until an attempt succeeds or {@link #cancel()} is called.
 */
final class RetryingStart {
  private static final long RETRY_MS = 1000;

  private final String threadName;
  private final BooleanSupplier attempt;
  private ScheduledExecutorService starter;
  private ScheduledFuture<?> attempts;
  private boolean cancelled;

  /**
   * @param threadName the name of the retry thread
   * @param attempt one try: true once started
   */
  RetryingStart(String threadName, BooleanSupplier attempt) {
    this.threadName = threadName;
    this.attempt = attempt;
  }

  /**
   * Tries once now; on failure keeps trying in the background.
   *
   * @return whether the first try succeeded
   */
  synchronized boolean begin() {
    if (attempt.getAsBoolean()) {
      return true;
    }
    starter = Executors.newSingleThreadScheduledExecutor(DaemonThreads.single(threadName));
    attempts = starter.scheduleWithFixedDelay(() -> {
      synchronized (this) {
        if (!cancelled && attempt.getAsBoolean()) {
          attempts.cancel(false);
          starter.shutdown();
        }
      }
    }, RETRY_MS, RETRY_MS, TimeUnit.MILLISECONDS);
    return false;
  }

  /** Stops trying. */
  synchronized void cancel() {
    cancelled = true;
    if (starter != null) {
      starter.shutdownNow();
    }
  }
}

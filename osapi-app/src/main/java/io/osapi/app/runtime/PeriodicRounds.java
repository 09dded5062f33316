package io.osapi.app.runtime;

import io.osapi.core.concurrent.DaemonThreads;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A controller's round of work on a daemon thread of its own, at a fixed delay: skipped while the
 * backend is down; a failing round logged once per distinct error, then tried again at the next.
 * The runners of the scheduler, the rollouts and the submit reconciler are ones.
 */
abstract class PeriodicRounds implements Managed {
  private final Backend backend;
  private final Runnable work;
  private final Duration interval;
  private final String threadName;
  private final String failing;
  private final System.Logger log;
  private ScheduledExecutorService thread;
  private String lastError;

  /**
   * @param backend to skip rounds while it is down
   * @param work one round
   * @param interval time between rounds
   * @param threadName the thread's name
   * @param failing what a failed round did, for the log ({@code firing schedules})
   * @param log where a failed round is logged (the runner's)
   */
  PeriodicRounds(Backend backend, Runnable work, Duration interval, String threadName,
      String failing, System.Logger log) {
    this.backend = Objects.requireNonNull(backend, "backend");
    this.work = Objects.requireNonNull(work, "work");
    this.interval = Objects.requireNonNull(interval, "interval");
    this.threadName = Objects.requireNonNull(threadName, "threadName");
    this.failing = Objects.requireNonNull(failing, "failing");
    this.log = Objects.requireNonNull(log, "log");
  }

  /** Starts the rounds (once; again after {@link #stop}). */
  @Override
  public final synchronized void start() {
    if (thread != null) {
      return;
    }
    thread = Executors.newSingleThreadScheduledExecutor(DaemonThreads.single(threadName));
    thread.scheduleWithFixedDelay(this::round, interval.toMillis(), interval.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /** One round. Never throws. */
  final void round() {
    if (!backend.connected()) {
      return;
    }
    try {
      work.run();
      lastError = null;
    } catch (RuntimeException e) {
      String msg = e.getClass().getSimpleName() + ": " + e.getMessage();
      if (!msg.equals(lastError)) {
        log.log(Level.WARNING, "{0} failed (tried again in {1} ms): {2}", failing,
            interval.toMillis(), msg);
      }
      lastError = msg;
    }
  }

  /** Stops the rounds, waiting for one under way until {@code deadline}. */
  @Override
  public final void stop(Instant deadline) {
    ScheduledExecutorService s;
    synchronized (this) {
      s = thread;
      thread = null;
    }
    if (s != null) {
      s.shutdownNow();
      try {
        s.awaitTermination(Math.max(0, Duration.between(Instant.now(), deadline).toMillis()),
            TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}

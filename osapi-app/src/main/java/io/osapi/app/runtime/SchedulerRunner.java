package io.osapi.app.runtime;

import io.osapi.core.concurrent.DaemonThreads;
import io.osapi.core.scheduler.Scheduler;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs the controller's {@link Scheduler} on a thread of its own every {@link #INTERVAL}: each
 * controller looks for due ticks, and the compare-and-set on a schedule's last tick lets one of
 * them fire it. Skips a round while the backend is down; a failing round is logged once per
 * distinct error and the next round starts over.
 */
public final class SchedulerRunner implements Managed {
  private static final System.Logger LOG = System.getLogger(SchedulerRunner.class.getName());
  /** Time between rounds: a tick fires at most this late while a controller runs. */
  public static final Duration INTERVAL = Duration.ofMillis(250);

  private final Backend backend;
  private final Scheduler scheduler;
  private ScheduledExecutorService thread;
  private String lastError;

  /**
   * @param backend to skip rounds while it is down
   * @param scheduler the work of a round
   */
  public SchedulerRunner(Backend backend, Scheduler scheduler) {
    this.backend = Objects.requireNonNull(backend, "backend");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
  }

  @Override
  public String name() {
    return "scheduler";
  }

  @Override
  public synchronized void start() {
    if (thread != null) {
      return;
    }
    thread = Executors.newSingleThreadScheduledExecutor(DaemonThreads.single("osapi-scheduler"));
    thread.scheduleWithFixedDelay(this::round, INTERVAL.toMillis(), INTERVAL.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /** One round. Never throws. */
  void round() {
    if (!backend.connected()) {
      return;
    }
    try {
      scheduler.round();
      lastError = null;
    } catch (RuntimeException e) {
      String msg = e.getClass().getSimpleName() + ": " + e.getMessage();
      if (!msg.equals(lastError)) {
        LOG.log(Level.WARNING, "firing schedules failed (tried again in {0} ms): {1}",
            INTERVAL.toMillis(), msg);
      }
      lastError = msg;
    }
  }

  @Override
  public void stop(Instant deadline) {
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

  @Override
  public List<String> describe() {
    return List.of("scheduler: due ticks of the schedules are looked for every "
        + INTERVAL.toMillis() + " ms, each fired by one controller");
  }
}

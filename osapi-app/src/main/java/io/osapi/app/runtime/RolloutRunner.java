package io.osapi.app.runtime;

import io.osapi.core.concurrent.DaemonThreads;
import io.osapi.core.service.RolloutService;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs the controller's {@link RolloutService} on a thread of its own, every {@link #INTERVAL}:
 * rolling broadcasts release their next workers when runs end, and stop on failures. Every
 * controller runs one (the releases are compare-and-sets on the job's record). Skips a round while
 * the backend is down; a failing round is logged once per distinct error.
 */
public final class RolloutRunner implements Managed {
  private static final System.Logger LOG = System.getLogger(RolloutRunner.class.getName());
  /** Time between rounds: how late after a run's end (and pause) the next worker is released. */
  public static final Duration INTERVAL = Duration.ofMillis(250);
  /**
   * How much earlier than the queue's de-duplication window ends a release step's notifications
   * are no longer sent again: clock differences between controllers and NATS, a slow round.
   */
  public static final Duration MARGIN = Duration.ofSeconds(20);

  private final Backend backend;
  private final RolloutService service;
  private ScheduledExecutorService scheduler;
  private String lastError;

  /**
   * @param backend to skip rounds while it is down
   * @param service the work of a round
   */
  public RolloutRunner(Backend backend, RolloutService service) {
    this.backend = Objects.requireNonNull(backend, "backend");
    this.service = Objects.requireNonNull(service, "service");
  }

  @Override
  public String name() {
    return "rollouts";
  }

  @Override
  public synchronized void start() {
    if (scheduler != null) {
      return;
    }
    scheduler = Executors.newSingleThreadScheduledExecutor(DaemonThreads.single("osapi-rollouts"));
    scheduler.scheduleWithFixedDelay(this::round, INTERVAL.toMillis(), INTERVAL.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /** One round. Never throws. */
  void round() {
    if (!backend.connected()) {
      return;
    }
    try {
      service.round();
      lastError = null;
    } catch (RuntimeException e) {
      String msg = e.getClass().getSimpleName() + ": " + e.getMessage();
      if (!msg.equals(lastError)) {
        LOG.log(Level.WARNING, "going on with the rolling broadcasts failed (tried again every"
            + " {0} ms): {1}", INTERVAL.toMillis(), msg);
      }
      lastError = msg;
    }
  }

  @Override
  public void stop(Instant deadline) {
    ScheduledExecutorService s;
    synchronized (this) {
      s = scheduler;
      scheduler = null;
    }
    if (s != null) {
      s.shutdownNow();
    }
  }

  @Override
  public List<String> describe() {
    return List.of("rollouts: rolling broadcasts release their next workers every "
        + INTERVAL.toMillis() + " ms when runs ended");
  }
}

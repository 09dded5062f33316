package io.osapi.app.runtime;

import io.osapi.core.scheduler.Scheduler;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Runs the controller's {@link Scheduler} on a thread of its own every {@link #INTERVAL}: each
 * controller looks for due ticks, and the compare-and-set on a schedule's last tick lets one of
 * them fire it. Skips a round while the backend is down; a failing round is logged once per
 * distinct error and the next round starts over.
 */
public final class SchedulerRunner extends PeriodicRounds {
  private static final System.Logger LOG = System.getLogger(SchedulerRunner.class.getName());
  /** Time between rounds: a tick fires at most this late while a controller runs. */
  public static final Duration INTERVAL = Duration.ofMillis(250);

  /**
   * @param backend to skip rounds while it is down
   * @param scheduler the work of a round
   */
  public SchedulerRunner(Backend backend, Scheduler scheduler) {
    super(backend, Objects.requireNonNull(scheduler, "scheduler")::round, INTERVAL, "osapi-scheduler",
        "firing schedules", LOG);
  }

  @Override
  public String name() {
    return "scheduler";
  }

  @Override
  public List<String> describe() {
    return List.of("scheduler: due ticks of the schedules are looked for every "
        + INTERVAL.toMillis() + " ms, each fired by one controller");
  }
}

package io.osapi.app.runtime;

import io.osapi.core.service.RolloutService;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Runs the controller's {@link RolloutService} on a thread of its own, every {@link #INTERVAL}:
 * rolling broadcasts release their next workers when runs end, and stop on failures. Every
 * controller runs one (the releases are compare-and-sets on the job's record). Skips a round while
 * the backend is down; a failing round is logged once per distinct error.
 */
public final class RolloutRunner extends PeriodicRounds {
  private static final System.Logger LOG = System.getLogger(RolloutRunner.class.getName());
  /** Time between rounds: how late after a run's end (and pause) the next worker is released. */
  public static final Duration INTERVAL = Duration.ofMillis(250);
  /**
   * How much earlier than the queue's de-duplication window ends a release step's notifications
   * are no longer sent again: clock differences between controllers and NATS, a slow round.
   */
  public static final Duration MARGIN = Duration.ofSeconds(20);

  /**
   * @param backend to skip rounds while it is down
   * @param service the work of a round
   */
  public RolloutRunner(Backend backend, RolloutService service) {
    super(backend, Objects.requireNonNull(service, "service")::round, INTERVAL, "osapi-rollouts",
        "going on with the rolling broadcasts", LOG);
  }

  @Override
  public String name() {
    return "rollouts";
  }

  @Override
  public List<String> describe() {
    return List.of("rollouts: rolling broadcasts release their next workers every "
        + INTERVAL.toMillis() + " ms when runs ended");
  }
}

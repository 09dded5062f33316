package io.osapi.app.runtime;

import io.osapi.core.service.SubmitReconciler;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Runs the controller's {@link SubmitReconciler} on a thread of its own, every interval: jobs
 * still {@code submitted} without a run once they are a grace period old have their notification
 * sent again (idempotently), so a controller that died between a job's record and its
 * notification leaves no job waiting for ever. Skips a round while the backend is down; a failing
 * round is logged once per distinct error and goes on where it stopped in the next.
 */
public final class SubmitReconcilerRunner extends PeriodicRounds {
  private static final System.Logger LOG =
      System.getLogger(SubmitReconcilerRunner.class.getName());
  /**
   * How old a job still submitted without a run must be before its notification is sent again:
   * past the longest create patience (20 s) and the removal of refused creates (25 s), so that a
   * create still being held, or refused, is never sent by someone else.
   */
  public static final Duration GRACE = Duration.ofSeconds(30);
  /**
   * How much younger than the queue's de-duplication window a job must still be to be sent
   * again: clock differences between controllers and NATS, and a slow round.
   */
  public static final Duration MARGIN = Duration.ofSeconds(20);

  /**
   * @param backend to skip rounds while it is down
   * @param reconciler the work of a round
   * @param interval time between rounds
   */
  public SubmitReconcilerRunner(Backend backend, SubmitReconciler reconciler, Duration interval) {
    super(backend, Objects.requireNonNull(reconciler, "reconciler")::round, interval,
        "osapi-submit-reconciler", "looking for jobs never notified", LOG);
  }

  @Override
  public String name() {
    return "submit reconciler";
  }

  @Override
  public List<String> describe() {
    return List.of("submit reconciler: jobs still submitted without a run " + GRACE.toSeconds()
        + " s after their creation are notified again");
  }
}

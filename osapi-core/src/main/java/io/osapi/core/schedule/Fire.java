package io.osapi.core.schedule;

import java.time.Instant;
import java.util.Objects;

/**
 * One tick of a schedule and what became of it.
 *
 * @param tick the tick's time
 * @param outcome fired, skipped, missed or failed
 * @param jobId the job created for it (fired), or null
 * @param error why its job was refused (failed), or null
 */
public record Fire(Instant tick, FireOutcome outcome, String jobId, String error) {
  /** Checks that the tick and outcome are there, and a job id with a fired tick. */
  public Fire {
    Objects.requireNonNull(tick, "tick");
    Objects.requireNonNull(outcome, "outcome");
    if ((outcome == FireOutcome.FIRED) != (jobId != null)) {
      throw new IllegalArgumentException("a fired tick, and only one, has a job id");
    }
  }
}

package io.osapi.core.domain;

import java.util.Objects;

/**
 * How far a rolling broadcast got, as a job's detail shows it.
 *
 * @param rollout its settings and stored state
 * @param expected how many workers it is for
 * @param released how many were released
 * @param running how many released runs have not ended (claimed or not yet)
 * @param done how many released runs ended (completed, failed or cancelled)
 * @param failed how many released runs failed
 * @param skipped how many workers were never released (the rollout stopped, was cancelled or timed
 *     out)
 */
public record RolloutProgress(Rollout rollout, int expected, int released, int running, int done,
    int failed, int skipped) {
  /** Checks for nulls. */
  public RolloutProgress {
    Objects.requireNonNull(rollout, "rollout");
  }
}

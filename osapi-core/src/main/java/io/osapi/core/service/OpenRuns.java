package io.osapi.core.service;

import io.osapi.core.domain.RevisionConflictException;
import io.osapi.core.domain.Run;
import io.osapi.core.domain.RunKey;
import io.osapi.core.domain.Versioned;
import io.osapi.core.port.JobStore;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Ends a run that is still open by compare-and-set, for the controllers' services that give up on
 * runs (dead letters, timeouts): a worker's own end and this one cannot both win.
 */
final class OpenRuns {
  /** How often a set that lost to a concurrent change is tried again. */
  static final int MAX_CONFLICTS = 5;

  /** What {@link #end} did. */
  enum Outcome {
    /** This call's set won. */
    ENDED,
    /** The run was terminal already, or became so meanwhile: left alone. */
    WAS_TERMINAL,
    /** Every try lost to another change: left alone. */
    KEPT_CHANGING
  }

  private OpenRuns() {}

  /**
   * Reads the run and, unless it is terminal, writes {@code next.apply(current)} in its place,
   * expecting the revision read (0, a create, when there is no run yet).
   *
   * @param next the run to write, given the current one ({@code null} when there is none)
   * @throws io.osapi.core.domain.BackendUnavailableException when the store cannot be reached
   */
  static Outcome end(JobStore store, RunKey key, UnaryOperator<Run> next) {
    for (int i = 0; i < MAX_CONFLICTS; i++) {
      Optional<Versioned<Run>> cur = store.run(key);
      if (cur.isPresent() && cur.get().value().state().terminal()) {
        return Outcome.WAS_TERMINAL;
      }
      Run write = next.apply(cur.map(Versioned::value).orElse(null));
      try {
        Futures.await(store.putRun(key, write, cur.map(Versioned::revision).orElse(0L)));
        return Outcome.ENDED;
      } catch (RevisionConflictException conflict) {
        // claimed or finished meanwhile: read again
      }
    }
    return Outcome.KEPT_CHANGING;
  }
}

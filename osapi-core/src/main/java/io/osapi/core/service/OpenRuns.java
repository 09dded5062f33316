package io.osapi.core.service;

import io.osapi.core.domain.CorruptRecordException;
import io.osapi.core.domain.PermanentStoreException;
import io.osapi.core.domain.RevisionConflictException;
import io.osapi.core.domain.Run;
import io.osapi.core.domain.RunKey;
import io.osapi.core.domain.TimelineEntry;
import io.osapi.core.domain.Versioned;
import io.osapi.core.port.JobStore;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Ends a run that is still open by compare-and-set, for the controllers' services that give up on
 * runs (dead letters, timeouts): a worker's own end and this one cannot both win.
 */
final class OpenRuns {
  private static final System.Logger LOG = System.getLogger(OpenRuns.class.getName());
  /** How often a set that lost to a concurrent change is tried again. */
  static final int MAX_CONFLICTS = 5;

  /** What {@link #end} did. */
  enum Outcome {
    /** This call's set won. */
    ENDED,
    /** The run was terminal already, or became so meanwhile: left alone. */
    WAS_TERMINAL,
    /** Every try lost to another change: left alone. */
    KEPT_CHANGING,
    /**
     * The store refuses this run for good (its stored value cannot be read, or even the short
     * form of the end is refused): left as it is, and not worth another try.
     */
    REFUSED
  }

  private OpenRuns() {}

  /**
   * Reads the run and, unless it is terminal, writes {@code next.apply(current)} in its place,
   * expecting the revision read (0, a create, when there is no run yet).
   *
   * @param next the run to write, given the current one ({@code null} when there is none)
   * @return {@link Outcome#REFUSED} when the store refuses the run for good ({@link
   *     PermanentStoreException}, {@link CorruptRecordException}): a short form of the end (no
   *     history, the refusal in its error) is written when the full one is too large, and only
   *     when that is refused too, or the run cannot be read, is it left as it is
   * @throws io.osapi.core.domain.BackendUnavailableException when the store cannot be reached
   */
  static Outcome end(JobStore store, RunKey key, UnaryOperator<Run> next) {
    for (int i = 0; i < MAX_CONFLICTS; i++) {
      Optional<Versioned<Run>> cur;
      try {
        cur = store.run(key);
      } catch (CorruptRecordException | PermanentStoreException e) {
        LOG.log(Level.ERROR, "run {0} of job {1} cannot be read, so it cannot be ended: {2}",
            key.slot(), key.job(), e.getMessage());
        return Outcome.REFUSED;
      }
      if (cur.isPresent() && cur.get().value().state().terminal()) {
        return Outcome.WAS_TERMINAL;
      }
      Run write = next.apply(cur.map(Versioned::value).orElse(null));
      long revision = cur.map(Versioned::revision).orElse(0L);
      try {
        Futures.await(store.putRun(key, write, revision));
        return Outcome.ENDED;
      } catch (RevisionConflictException conflict) {
        // claimed or finished meanwhile: read again
      } catch (PermanentStoreException refused) {
        // the run with its history is refused (too large): end it in short form, with why
        try {
          Futures.await(store.putRun(key, shortForm(write, refused), revision));
          return Outcome.ENDED;
        } catch (RevisionConflictException conflict) {
          // claimed or finished meanwhile: read again
        } catch (PermanentStoreException again) {
          LOG.log(Level.ERROR, "run {0} of job {1} cannot be ended, the store refuses it: {2}",
              key.slot(), key.job(), again.getMessage());
          return Outcome.REFUSED;
        }
      }
    }
    return Outcome.KEPT_CHANGING;
  }

  /**
   * {@code end} without the history it carried over (only its newest timeline entry), its error
   * saying why: what is written when the store refuses the whole run.
   */
  static Run shortForm(Run end, PermanentStoreException why) {
    String error = (end.error() == null ? "" : end.error() + "; ")
        + "the run's history was dropped: " + why.getMessage();
    List<TimelineEntry> t = end.timeline().isEmpty() ? List.of()
        : List.of(withError(end.timeline().get(end.timeline().size() - 1), error));
    return new Run(end.state(), end.worker(), end.attempt(), end.started(), end.ended(), null,
        error, end.deadLettered(), t);
  }

  private static TimelineEntry withError(
      TimelineEntry e, String error) {
    return new TimelineEntry(e.time(), e.event(), e.worker(), e.message(),
        error);
  }
}

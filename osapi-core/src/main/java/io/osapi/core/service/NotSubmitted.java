package io.osapi.core.service;

import io.osapi.core.domain.JobRecord;
import io.osapi.core.domain.RevisionConflictException;
import io.osapi.core.domain.Run;
import io.osapi.core.domain.RunKey;
import io.osapi.core.domain.RunState;
import io.osapi.core.domain.TimelineEntry;
import io.osapi.core.port.JobStore;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * Ends a stored job whose notification may never have gone out: every run is created {@code
 * failed} with the reason, by compare-and-set (revision 0), so a notification that did go out
 * finds its run done and does not run it. Used by a create that gives up ({@link JobSubmitter})
 * and by {@link SubmitReconciler}.
 */
final class NotSubmitted {
  private NotSubmitted() {}

  /**
   * Fails every run of {@code record} with {@code reason}.
   *
   * @return true when a worker had claimed a run already: the job is live, nothing was failed
   *     after that run
   * @throws RuntimeException when the store could not be written (the job is left as it is)
   */
  static boolean fail(JobStore store, Clock clock, JobRecord record, String reason) {
    for (RunKey key : record.runKeys()) {
      Instant now = clock.instant();
      Run failed = new Run(RunState.FAILED, null, 0, null, now, null, reason, false,
          List.of(new TimelineEntry(now, "failed", "_api", reason, reason)));
      try {
        Futures.await(store.putRun(key, failed, 0));
      } catch (RevisionConflictException claimed) {
        return true;
      }
    }
    return false;
  }
}

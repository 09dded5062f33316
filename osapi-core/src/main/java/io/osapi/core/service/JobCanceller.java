package io.osapi.core.service;

import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobRecord;
import io.osapi.core.domain.JobView;
import io.osapi.core.domain.RevisionConflictException;
import io.osapi.core.domain.Run;
import io.osapi.core.domain.RunKey;
import io.osapi.core.domain.Versioned;
import io.osapi.core.port.JobMetrics;
import io.osapi.core.port.JobStore;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.util.Optional;

/**
 * {@link JobClient#cancel}: the request is stored first, by compare-and-set on the job's record
 * ({@link JobRecord#cancelRequested()}), then every run that has not ended is ended {@code
 * cancelled} by compare-and-set ({@link OpenRuns}): one not claimed yet is created cancelled, so
 * a worker that gets the notification later finds it ended and acknowledges it without running
 * it; one running is ended here, and the worker holding it sees that on its next look at the run
 * (within {@link WorkerService#CANCEL_CHECK}) and stops the operation, dropping its outcome. A
 * worker's own end and the cancel cannot both win. Nothing is held in memory: a request that
 * stopped half way (the store went away) is finished by the next one, on any controller.
 */
final class JobCanceller {
  private static final System.Logger LOG = System.getLogger(JobCanceller.class.getName());
  private static final int MAX_CONFLICTS = 5;

  private final JobStore store;
  private final JobReader reader;
  private final JobMetrics metrics;
  private final Clock clock;

  JobCanceller(JobStore store, JobReader reader, JobMetrics metrics, Clock clock) {
    this.store = store;
    this.reader = reader;
    this.metrics = metrics;
    this.clock = clock;
  }

  /** As {@link JobClient#cancel}. */
  CancelOutcome cancel(JobId id, String by) {
    for (int i = 0; i < MAX_CONFLICTS; i++) {
      Optional<Versioned<JobRecord>> found = store.find(id);
      if (found.isEmpty()) {
        return new CancelOutcome(CancelOutcome.Status.UNKNOWN, null);
      }
      JobRecord record = found.get().value();
      JobView now = JobView.of(record, store.runs(record));
      if (now.status().terminal()) {
        return new CancelOutcome(CancelOutcome.Status.ALREADY_ENDED, now);
      }
      if (record.cancelRequested() == null) {
        JobRecord next = record.cancel(by, clock.instant());
        try {
          Futures.await(store.update(next, found.get().revision()));
        } catch (RevisionConflictException e) {
          continue; // retried, cancelled or deleted meanwhile: look again
        }
        record = next;
        metrics.jobCancelled(record.job().operation().type());
        LOG.log(Level.INFO, "job {0}: cancel requested by {1}", id, by);
      }
      // a rollout's workers not released are skipped; the stored cancel stops its releases
      int skipped = record.rollout() == null ? 0
          : RolloutService.skip(store, record, "cancelled by " + by, clock);
      int ended = skipped;
      for (RunKey key : record.runKeys()) {
        if (record.released(key) && OpenRuns.end(store, key,
            prev -> Run.cancelled(prev, by, clock.instant())) == OpenRuns.Outcome.ENDED) {
          ended++;
        }
      }
      LOG.log(Level.INFO, "job {0}: {1} of {2} runs cancelled", id, ended,
          record.runKeys().size());
      JobView after = reader.get(id).orElse(now);
      return new CancelOutcome(CancelOutcome.Status.CANCELLED, after);
    }
    throw new RevisionConflictException("job " + id + " kept changing; cancel it again");
  }
}

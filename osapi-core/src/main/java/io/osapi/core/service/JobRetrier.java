package io.osapi.core.service;

import io.osapi.core.domain.Job;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobRecord;
import io.osapi.core.domain.JobView;
import io.osapi.core.domain.OperationDefinition;
import io.osapi.core.domain.OperationRegistry;
import io.osapi.core.domain.RevisionConflictException;
import io.osapi.core.domain.Run;
import io.osapi.core.domain.RunKey;
import io.osapi.core.domain.Target;
import io.osapi.core.domain.TimelineEntry;
import io.osapi.core.domain.Versioned;
import io.osapi.core.port.JobStore;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * {@link JobClient#retry}: a new job with the same operation (through the submitter, held like
 * any create), a note on the original, and the original's finished runs written again so they do
 * not leave the store before its record.
 */
final class JobRetrier {
  private static final System.Logger LOG = System.getLogger(JobRetrier.class.getName());

  private final JobStore store;
  private final OperationRegistry operations;
  private final JobSubmitter submitter;
  private final Clock clock;

  JobRetrier(JobStore store, OperationRegistry operations, JobSubmitter submitter, Clock clock) {
    this.store = store;
    this.operations = operations;
    this.submitter = submitter;
    this.clock = clock;
  }

  /** As {@link JobClient#retry}. */
  Optional<JobView> retry(JobId id, String target) {
    Optional<Versioned<JobRecord>> original = store.find(id);
    if (original.isEmpty()) {
      return Optional.empty();
    }
    Job old = original.get().value().job();
    OperationDefinition def = operations.require(old.operation().type());
    Target t = target == null || target.isBlank() ? old.target() : Target.parse(target);
    List<String> expected = submitter.expectedWorkers(t, def);
    Duration timeout = t instanceof Target.Any ? null
        : original.get().value().timeout() != null ? original.get().value().timeout()
            : submitter.defaultTimeout();
    Job job = submitter.signed(
        new Job(JobId.generate(clock), old.operation(), def.kind(), t, clock.instant()), def,
        timeout);
    // a rolling broadcast is retried as one, from the start (to one worker: at once)
    io.osapi.core.domain.Rollout was = original.get().value().rollout();
    io.osapi.core.domain.Rollout rolled = was == null
        || !(t instanceof Target.All || t instanceof Target.Label) ? null
        : io.osapi.core.domain.Rollout.of(was.batchSize(), was.batchPercent(), was.pause(),
            was.maxFailures());
    JobView created = submitter.held(submitter.submit(RolloutReleases.first(
        JobRecord.submitted(job, expected, timeout), rolled, job.created())));
    TimelineEntry note = new TimelineEntry(
        clock.instant(), "retried", "_api", "retried as " + job.id().value(), null);
    Versioned<JobRecord> cur = original.get();
    for (int i = 0; ; i++) {
      try {
        Futures.await(store.update(cur.value().with(note), cur.revision()));
        break;
      } catch (RevisionConflictException e) {
        Optional<Versioned<JobRecord>> again = store.find(id);
        if (again.isEmpty() || i >= 4) {
          LOG.log(System.Logger.Level.WARNING,
              "job {0} was retried as {1}, but the note could not be written", id, job.id());
          break;
        }
        cur = again.get();
      }
    }
    refreshFinishedRuns(cur.value());
    return Optional.of(created);
  }

  /**
   * Writes the finished runs of a job again, unchanged, after its record was written again (a
   * retry note): values leave the store {@link JobStore#retention()} after their own last write,
   * so a run older than its record would go first and leave the job reading as submitted, in its
   * detail and its listing, for the rest of the record's life. Runs not finished are written
   * again when they finish. Compare-and-set: a run written meanwhile is newer anyway.
   */
  private void refreshFinishedRuns(JobRecord record) {
    for (RunKey key : record.runKeys()) {
      try {
        Optional<Versioned<Run>> run = store.run(key);
        if (run.isPresent() && run.get().value().state().terminal()) {
          Futures.await(store.putRun(key, run.get().value(), run.get().revision()));
        }
      } catch (RevisionConflictException e) {
        // written meanwhile: its write time is newer than the note's
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "job {0}: its finished run {1} could not be written"
            + " again after the retry note (it may leave the store before the record): {2}",
            key.job(), key.slot(), e.getMessage());
      }
    }
  }
}

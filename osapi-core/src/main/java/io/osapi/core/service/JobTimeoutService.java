package io.osapi.core.service;

import io.osapi.core.domain.CorruptRecordException;
import io.osapi.core.domain.JobDeadline;
import io.osapi.core.domain.JobRecord;
import io.osapi.core.domain.PermanentStoreException;
import io.osapi.core.domain.Run;
import io.osapi.core.domain.RunKey;
import io.osapi.core.domain.Versioned;
import io.osapi.core.port.JobMetrics;
import io.osapi.core.port.JobQueue;
import io.osapi.core.port.JobStore;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Ends broadcast jobs whose expected workers did not all answer in time: when a job's deadline
 * ({@link JobRecord#deadline()}, scheduled by the job client at submit through {@link
 * JobQueue#scheduleDeadline}) is due, every expected worker whose run is not terminal gets a failed
 * run "did not respond within &lt;timeout&gt;", written by compare-and-set. A late answer and the
 * timeout cannot both win: when the set loses, the run is read again and left alone if it is
 * terminal now. {@code osapi_job_runs_timed_out_total} counts the runs this process's set failed,
 * so each is counted once however many controllers run this. Runs on the controllers.
 */
public final class JobTimeoutService implements QueueListener {
  private static final System.Logger LOG = System.getLogger(JobTimeoutService.class.getName());

  private final JobStore store;
  private final JobQueue queue;
  private final JobMetrics metrics;
  private final Clock clock;
  private final Subscription subscription = new Subscription("deadline");

  /**
   * @param store where jobs and runs live
   * @param queue which keeps the deadlines and reports them when due
   * @param metrics where timed-out runs are counted
   * @param clock the time source
   */
  public JobTimeoutService(JobStore store, JobQueue queue, JobMetrics metrics, Clock clock) {
    this.store = Objects.requireNonNull(store, "store");
    this.queue = Objects.requireNonNull(queue, "queue");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Subscribes to due deadlines. Idempotent. */
  @Override
  public void start() {
    subscription.open(() -> queue.onDeadline(this::handle));
  }

  /** Stops listening. Idempotent. */
  @Override
  public void close() {
    subscription.close();
  }

  /**
   * Fails the runs of {@code deadline}'s job that are not terminal.
   *
   * <p>A permanent refusal ({@link PermanentStoreException}, {@link CorruptRecordException}) is
   * never retried and never stops the other runs: a run whose full end is too large for the store
   * is ended in short form (the refusal in its error), one that cannot be read is left and logged,
   * a record that cannot be read drops the deadline (logged). Only an outage is thrown.
   *
   * @return how many runs this call failed (0 when the job is gone or every run had ended)
   * @throws io.osapi.core.domain.BackendUnavailableException when the store cannot be reached (the
   *     queue hands the deadline out again later; runs already failed stay failed and are skipped)
   */
  public int handle(JobDeadline deadline) {
    Optional<Versioned<JobRecord>> found;
    try {
      found = store.find(deadline.job());
    } catch (CorruptRecordException | PermanentStoreException e) {
      LOG.log(Level.ERROR, "deadline of job {0} dropped: its record cannot be read: {1}",
          deadline.job(), e.getMessage());
      return 0;
    }
    if (found.isEmpty()) {
      LOG.log(Level.DEBUG, "deadline of job {0}: the job is gone", deadline.job());
      return 0;
    }
    JobRecord record = found.get().value();
    if (record.expected().isEmpty()) {
      return 0; // an _any job is never timed out this way
    }
    String op = record.job().operation().type();
    String reason = "did not respond within "
        + describe(record.timeout() == null
            ? Duration.between(record.job().created(), deadline.at()) : record.timeout());
    int failed = 0;
    if (record.rollout() != null) { // a rollout's workers not released yet are skipped
      RolloutService.skip(store, record, "the rollout did not reach this worker within "
          + describe(record.timeout() == null
          ? Duration.between(record.job().created(), deadline.at()) : record.timeout()), clock);
    }
    for (RunKey key : record.runKeys()) { // a run refused for good does not stop the others
      if (failRun(key, reason)) {
        failed++;
        metrics.jobRunTimedOut(op);
      }
    }
    if (failed > 0) {
      LOG.log(Level.WARNING, "job {0}: {1} of {2} expected workers {3}", deadline.job(), failed,
          record.expected().size(), reason);
    }
    return failed;
  }

  /** True when this call's compare-and-set failed the run. */
  private boolean failRun(RunKey key, String reason) {
    OpenRuns.Outcome outcome =
        OpenRuns.end(store, key, prev -> Run.timedOut(prev, reason, clock.instant()));
    if (outcome == OpenRuns.Outcome.KEPT_CHANGING) {
      LOG.log(Level.WARNING, "run {0} of job {1} kept changing; not timed out", key.slot(),
          key.job());
    }
    return outcome == OpenRuns.Outcome.ENDED;
  }

  /** {@code 60s}, {@code 1500ms}. */
  static String describe(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? (ms / 1000) + "s" : ms + "ms";
  }
}

package io.osapi.core.service;

import io.osapi.core.domain.CorruptRecordException;
import io.osapi.core.domain.ExhaustedDelivery;
import io.osapi.core.domain.JobRecord;
import io.osapi.core.domain.PermanentStoreException;
import io.osapi.core.domain.Run;
import io.osapi.core.domain.Versioned;
import io.osapi.core.port.JobMetrics;
import io.osapi.core.port.JobQueue;
import io.osapi.core.port.JobStore;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;

/**
 * Gives up on jobs whose deliveries ran out without any worker settling them (every holder died or
 * hung): sets the run {@code failed} and dead-lettered, with a reason, by compare-and-set, and
 * counts {@code osapi_jobs_dead_lettered_total} only when its own set won, so a job is counted once
 * however many controllers run this. Runs on the controllers.
 */
public final class DeadLetterService implements QueueListener {
  private static final System.Logger LOG = System.getLogger(DeadLetterService.class.getName());

  private final JobStore store;
  private final JobQueue queue;
  private final JobMetrics metrics;
  private final Clock clock;
  private final Subscription subscription = new Subscription("dead-letter");

  /**
   * @param store where runs live
   * @param queue which reports exhausted deliveries
   * @param metrics where dead letters are counted
   * @param clock the time source
   */
  public DeadLetterService(JobStore store, JobQueue queue, JobMetrics metrics, Clock clock) {
    this.store = Objects.requireNonNull(store, "store");
    this.queue = Objects.requireNonNull(queue, "queue");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Subscribes to exhausted deliveries. Idempotent. */
  @Override
  public void start() {
    subscription.open(() -> queue.onExhausted(this::handle));
  }

  /** Stops listening. Idempotent. */
  @Override
  public void close() {
    subscription.close();
  }

  /**
   * Settles one exhausted delivery.
   *
   * @return true when this call dead-lettered the run; false when there was nothing to do (the job
   *     is gone, or its run finished meanwhile)
   * @throws io.osapi.core.domain.BackendUnavailableException when the store cannot be reached (the
   *     queue reports it again later); a permanent refusal is never thrown (see {@link
   *     JobTimeoutService#handle}: the same rules)
   */
  public boolean handle(ExhaustedDelivery e) {
    Optional<Versioned<JobRecord>> job;
    try {
      job = store.find(e.job());
    } catch (CorruptRecordException | PermanentStoreException ex) {
      LOG.log(Level.ERROR, "deliveries of job {0} ran out, but its record cannot be read: {1}",
          e.job(), ex.getMessage());
      return false;
    }
    if (job.isEmpty()) {
      LOG.log(Level.INFO, "deliveries of job {0} ran out, but the job is gone", e.job());
      return false;
    }
    String op = job.get().value().job().operation().type();
    String[] reason = new String[1];
    OpenRuns.Outcome outcome = OpenRuns.end(store, e.runKey(), prev -> {
      reason[0] = "gave up after " + e.deliveries() + " deliveries: "
          + (prev == null || prev.worker() == null ? "no worker finished it"
              : "worker " + prev.worker() + " did not finish it");
      return Run.deadLetter(prev, reason[0], clock.instant());
    });
    switch (outcome) {
      case ENDED:
        LOG.log(Level.WARNING, "job {0} dead-lettered: {1}", e.job(), reason[0]);
        metrics.jobDeadLettered(op);
        return true;
      case KEPT_CHANGING:
        LOG.log(Level.WARNING, "job {0}: its run kept changing; not dead-lettered", e.job());
        return false;
      case REFUSED: // logged by OpenRuns; not worth another try
        return false;
      default:
        return false;
    }
  }
}

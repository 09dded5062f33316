package io.osapi.core.port;

import io.osapi.core.domain.JobOutcome;
import io.osapi.core.domain.RefusalReason;
import java.time.Duration;

/**
 * Where the job client and the worker service report what happens to jobs and to the workers of
 * this process, for metrics. The other roles have ports of their own: {@link FleetMetrics} (a
 * controller's background views), {@link ConnectionMetrics} (the broker connection), {@link
 * HealthMetrics} (readiness).
 *
 * <p>Implementations must never throw from any method and never block on I/O: recording sits on
 * the job path. Label values passed in are bounded by the callers (registered operation types,
 * configured worker ids); implementations still fold anything unexpected into {@code other} so that
 * no caller can mint series. Use {@link #noop()} when metrics are not wanted.
 */
public interface JobMetrics {

  /** A job was accepted and stored ({@code osapi_jobs_created_total}). */
  void jobCreated(String operation);

  /**
   * A worker started processing a job: one more active job; on the first delivery also the queue
   * wait (created to started).
   *
   * @param queueWait created-to-started time, or null on redeliveries (not recorded then)
   */
  void jobStarted(String operation, Duration queueWait);

  /**
   * The operation of a started job returned (or its attempt ended without it returning): one fewer
   * active job. Called once for each {@link #jobStarted}, before that attempt's {@link
   * #jobFinished}: the worker writes the run's end after this, while its next job may already run,
   * so active over the worker's concurrency is its utilisation.
   */
  void jobReturned(String operation);

  /**
   * A processing attempt was settled, its end written. For {@link JobOutcome#COMPLETED} and {@link
   * JobOutcome#FAILED} the completion counter, the duration histogram and the worker's processed
   * counter; {@link JobOutcome#RELEASED} (handed back to the queue) counts nothing. Active jobs
   * are lowered by {@link #jobReturned}, not here.
   */
  void jobFinished(String operation, String workerId, JobOutcome outcome, Duration duration);

  /** A delivery after the first arrived ({@code osapi_job_redeliveries_total}). */
  void jobRedelivered(String operation);

  /** A job was given up on: max deliveries reached or poison ({@code osapi_jobs_dead_lettered_total}). */
  void jobDeadLettered(String operation);

  /**
   * A worker refused a job without running it ({@code osapi_jobs_refused_total}): its allow-list
   * does not name the operation, or a privileged job's signature does not hold. The run is failed
   * once and dead-lettered (also counted by {@link #jobDeadLettered}).
   */
  void jobRefused(String operation, RefusalReason reason);

  /**
   * A run's outcome was dropped because another delivery had taken the job over first (the run's
   * compare-and-set lost): {@code osapi_job_runs_superseded_total}. Only this counter; the worker
   * also reports the attempt's end as {@link JobOutcome#RELEASED} (lowering active, not counted
   * as finished); the holder that took over counts its own outcome.
   */
  void jobSuperseded(String operation);

  /**
   * The controller failed an expected worker's run of a broadcast job because it was not terminal
   * at the job's deadline ({@code osapi_job_runs_timed_out_total}); counted once per run, by the
   * process whose compare-and-set won.
   */
  void jobRunTimedOut(String operation);

  /**
   * A cancel of a job of {@code operation} was stored ({@code osapi_jobs_cancelled_total}); counted
   * once per job, by the process whose compare-and-set stored it.
   */
  default void jobCancelled(String operation) {}

  /**
   * A rolling broadcast of {@code operation} released {@code runs} more runs to their workers
   * ({@code osapi_rollout_runs_released_total}); counted by the process whose compare-and-set on
   * the record stored the step.
   */
  default void rolloutReleased(String operation, int runs) {}

  /**
   * A rolling broadcast of {@code operation} stopped on failures ({@code
   * osapi_rollouts_stopped_total}); counted once per job, by the process that stored the stop.
   */
  default void rolloutStopped(String operation) {}

  /** A worker in this process started consuming, offering {@code concurrency} slots. */
  void workerConnected(String workerId, int concurrency);

  /** A worker in this process stopped consuming; its per-worker series go away. */
  void workerDisconnected(String workerId);

  /** A {@link JobMetrics} that records nothing. */
  static JobMetrics noop() {
    return Noop.INSTANCE;
  }

  /** The no-op implementation behind {@link #noop()}. */
  enum Noop implements JobMetrics {
    /** The only instance. */
    INSTANCE;

    @Override
    public void jobCreated(String operation) {}

    @Override
    public void jobStarted(String operation, Duration queueWait) {}

    @Override
    public void jobReturned(String operation) {}

    @Override
    public void jobFinished(
        String operation, String workerId, JobOutcome outcome, Duration duration) {}

    @Override
    public void jobRedelivered(String operation) {}

    @Override
    public void jobDeadLettered(String operation) {}

    @Override
    public void jobRefused(String operation, RefusalReason reason) {}

    @Override
    public void jobSuperseded(String operation) {}

    @Override
    public void jobRunTimedOut(String operation) {}

    @Override
    public void workerConnected(String workerId, int concurrency) {}

    @Override
    public void workerDisconnected(String workerId) {}
  }
}

package io.osapi.core.port;

import io.osapi.core.domain.SchedulingState;
import java.time.Duration;
import java.util.Map;

/**
 * Where a controller reports its background views of the fleet and the queue, for metrics: the
 * backlog, the workers' heartbeat ages and scheduling states, and its job index. Called from
 * background refreshes, never from a scrape.
 *
 * <p>Implementations must never throw and never block on I/O. Use {@link #noop()} when metrics
 * are not wanted.
 */
public interface FleetMetrics {

  /**
   * The latest backlog of the shared consumers: {@code ackPending} is {@code
   * osapi_jobs_ack_pending}; {@code pending} (notifications not yet delivered) is not exported,
   * {@code osapi_jobs_pending} counts the jobs not started by operation ({@link #jobQueues}).
   */
  void queueBacklog(long pending, long ackPending);

  /**
   * The jobs not started yet by operation, from the controller's job index ({@code
   * osapi_jobs_pending{operation}}, {@code osapi_job_queue_oldest_age_seconds{operation}}); the
   * keys are the registered operations and {@link io.osapi.core.domain.OperationQueue#OTHER}.
   */
  default void jobQueues(Map<String, io.osapi.core.domain.OperationQueue> byOperation) {}

  /**
   * The latest heartbeat age of every registered worker ({@code
   * osapi_worker_heartbeat_age_seconds}); workers missing from the map have left.
   */
  void workerHeartbeatAges(Map<String, Duration> ages);

  /**
   * The size and lag of this process's job index (the view listings read): {@code
   * osapi_job_index_jobs} and {@code osapi_job_index_lag}.
   *
   * @param jobs jobs in the index
   * @param behind writes to the job store the index has not applied yet
   */
  void jobIndex(long jobs, long behind);

  /**
   * How many registered workers are in each scheduling state ({@code osapi_workers_by_state});
   * states missing from the map have none.
   */
  void workersByState(Map<SchedulingState, Long> counts);

  /**
   * How full the job store is ({@code osapi_job_store_usage_ratio}, {@code osapi_job_store_full}),
   * as last measured.
   */
  default void jobStore(io.osapi.core.domain.StoreUsage usage) {}

  /**
   * How many heartbeat entries the latest reading of the registry skipped as not valid worker
   * records ({@code osapi_worker_entries_invalid}).
   */
  default void workerEntriesInvalid(long count) {}

  /**
   * The clock skew of every registered worker ({@code osapi_worker_clock_skew_seconds}): its clock
   * minus the registry's (the NATS server's), positive when it runs ahead; workers missing from
   * the map have left.
   */
  default void workerClockSkews(Map<String, Duration> skews) {}

  /** A {@link FleetMetrics} that records nothing. */
  static FleetMetrics noop() {
    return Noop.INSTANCE;
  }

  /** The no-op implementation behind {@link #noop()}. */
  enum Noop implements FleetMetrics {
    /** The only instance. */
    INSTANCE;

    @Override
    public void queueBacklog(long pending, long ackPending) {}

    @Override
    public void workerHeartbeatAges(Map<String, Duration> ages) {}

    @Override
    public void jobIndex(long jobs, long behind) {}

    @Override
    public void workersByState(Map<SchedulingState, Long> counts) {}
  }
}

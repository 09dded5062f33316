package io.osapi.core.port;

import io.osapi.core.domain.EventKey;
import io.osapi.core.domain.Job;
import io.osapi.core.domain.JobHistory;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobResult;
import io.osapi.core.domain.StatusEvent;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Stores jobs, their append-only status events and their results.
 *
 * <p>A terminal event ({@link io.osapi.core.domain.EventType#terminal()}) written by a thread right
 * after that thread's result of the same job takes effect only once the result did, and not at
 * all if the result failed, so a caller can pipeline a result and the terminal event and wait for
 * both before acknowledging. Other writes may take effect in any order. Failures surface as {@link io.osapi.core.domain.BackendUnavailableException} (thrown, or as the
 * future's exception).
 */
public interface JobStore {

  /** Stores a new job record. */
  void create(Job job);

  /**
   * Reads a job record.
   *
   * @return empty when there is no such job
   * @throws io.osapi.core.domain.CorruptRecordException when a record exists but cannot be read (poison)
   */
  Optional<Job> find(JobId id);

  /**
   * Appends a status event; completes when stored. An event is identified by its job, type,
   * worker and time: writing the same one again (a retry after a write whose outcome was unknown)
   * stores it once.
   */
  CompletableFuture<Void> appendEvent(StatusEvent event);

  /**
   * Stores one attempt's result; completes when stored. A result is identified by its job, worker
   * and time: writing the same one again stores it once.
   */
  CompletableFuture<Void> putResult(JobResult result);

  /** A job's events, in any order. */
  List<StatusEvent> events(JobId id);

  /** A job's results, in any order. */
  List<JobResult> results(JobId id);

  /**
   * A job's events and results together: what a job's detail shows. Stores that can read both in
   * one go override it (the NATS store reads them in one pass instead of two).
   */
  default JobHistory history(JobId id) {
    return new JobHistory(events(id), results(id));
  }

  /**
   * Every stored job id with the keys of its events, from key names alone (no record is read),
   * ordered newest first.
   */
  Map<JobId, List<EventKey>> index();

  /**
   * Removes a job with its events and results.
   *
   * @return false when there was no such job
   */
  boolean delete(JobId id);
}

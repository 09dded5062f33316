package io.osapi.core.port;

import io.osapi.core.domain.EventKey;
import io.osapi.core.domain.Job;
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
 * <p>Writes made by one thread through {@link #appendEvent} and {@link #putResult} take effect in
 * the order they were issued, so a caller can pipeline a result and the terminal event and wait
 * for both before acknowledging. Failures surface as {@link io.osapi.core.domain.BackendUnavailableException} (thrown, or as the
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

  /** Appends a status event; completes when stored. */
  CompletableFuture<Void> appendEvent(StatusEvent event);

  /** Stores one attempt's result; completes when stored. */
  CompletableFuture<Void> putResult(JobResult result);

  /** A job's events, in any order. */
  List<StatusEvent> events(JobId id);

  /** A job's results, in any order. */
  List<JobResult> results(JobId id);

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

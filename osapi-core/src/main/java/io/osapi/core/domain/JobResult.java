package io.osapi.core.domain;

import java.time.Instant;
import java.util.Objects;

/**
 * What one worker's attempt at a job produced. Written before the terminal event.
 *
 * @param jobId the job
 * @param worker the worker id
 * @param attempt the delivery number of this attempt, from 1
 * @param status {@link EventType#COMPLETED} or {@link EventType#FAILED}
 * @param data the result as JSON text, or null
 * @param error the error message, or null
 * @param time when it was written
 */
public record JobResult(
    JobId jobId,
    String worker,
    int attempt,
    EventType status,
    String data,
    String error,
    Instant time) {
  /** Checks for nulls and a terminal status. */
  public JobResult {
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(worker, "worker");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(time, "time");
    if (!status.terminal()) {
      throw new IllegalArgumentException("result status must be completed or failed: " + status);
    }
  }
}

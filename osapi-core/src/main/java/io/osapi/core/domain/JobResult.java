package io.osapi.core.domain;

import java.time.Instant;
import java.util.Objects;

/**
 * What one finished run of a job produced.
 *
 * @param jobId the job
 * @param worker the worker id
 * @param attempt the delivery number of this run, from 1
 * @param status {@link RunState#COMPLETED} or {@link RunState#FAILED}
 * @param data the result as JSON text, or null
 * @param error the error message, or null
 * @param time when it ended
 */
public record JobResult(
    JobId jobId,
    String worker,
    int attempt,
    RunState status,
    String data,
    String error,
    Instant time) {
  /** Checks for nulls and a terminal status. */
  public JobResult {
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(time, "time");
    if (!status.terminal()) {
      throw new IllegalArgumentException("result status must be completed or failed: " + status);
    }
  }
}

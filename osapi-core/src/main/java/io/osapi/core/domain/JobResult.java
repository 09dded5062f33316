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
 * @param verification whether it is the signed answer of {@code worker}, or null when not checked
 */
public record JobResult(
    JobId jobId,
    String worker,
    int attempt,
    RunState status,
    String data,
    String error,
    Instant time,
    Verification verification) {
  /** Checks for nulls and a terminal status. */
  public JobResult {
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(time, "time");
    if (!status.terminal()) {
      throw new IllegalArgumentException("result status must be completed or failed: " + status);
    }
  }

  /** A result whose signature was not checked. */
  public JobResult(JobId jobId, String worker, int attempt, RunState status, String data,
      String error, Instant time) {
    this(jobId, worker, attempt, status, data, error, time, null);
  }
}

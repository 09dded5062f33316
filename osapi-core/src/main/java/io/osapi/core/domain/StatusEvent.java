package io.osapi.core.domain;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One append-only status event of a job.
 *
 * @param jobId the job
 * @param type what happened
 * @param worker the worker id that wrote it, or {@value #API} for the job client
 * @param time when it happened
 * @param data small string details (error message, duration, new job id ...)
 */
public record StatusEvent(
    JobId jobId, EventType type, String worker, Instant time, Map<String, String> data) {
  /** The writer name used by the job client (API side). */
  public static final String API = "_api";

  /** Copies {@code data}; checks for nulls. */
  public StatusEvent {
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(worker, "worker");
    Objects.requireNonNull(time, "time");
    data = data == null ? Map.of() : Map.copyOf(data);
  }

  /** True when written by the job client rather than a worker. */
  public boolean fromApi() {
    return API.equals(worker);
  }
}

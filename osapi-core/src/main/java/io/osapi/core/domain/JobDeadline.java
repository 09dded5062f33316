package io.osapi.core.domain;

import java.util.Objects;
import java.time.Instant;

/**
 * When a broadcast job's expected workers must have answered: at {@code at}, every expected
 * worker whose run is not terminal gets a failed run ("did not respond").
 *
 * @param job the job
 * @param at the deadline ({@link JobRecord#deadline()})
 */
public record JobDeadline(JobId job, Instant at) {
  /** Checks for nulls. */
  public JobDeadline {
    Objects.requireNonNull(job, "job");
    Objects.requireNonNull(at, "at");
  }

  /** The deadline of {@code record}, or null when it has none. */
  public static JobDeadline of(JobRecord record) {
    Instant at = record.deadline();
    return at == null ? null : new JobDeadline(record.job().id(), at);
  }
}

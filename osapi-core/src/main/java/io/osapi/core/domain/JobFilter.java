package io.osapi.core.domain;

import java.time.Instant;

/**
 * What a job listing keeps: every condition that is set must hold (null: any).
 *
 * @param status only jobs with this status
 * @param operation only jobs of this operation type
 * @param target only jobs with this target, as written ({@code _any}, {@code _all}, a worker id,
 *     {@code key:value})
 * @param worker only jobs that ran on this worker: a run of the job is held, or was last held, by
 *     it (the {@code worker} of one of the detail's runs), whatever the run's state
 * @param createdAfter only jobs created at or after this time
 * @param createdBefore only jobs created before this time
 */
public record JobFilter(
    JobStatus status, String operation, String target, String worker, Instant createdAfter,
    Instant createdBefore) {
  /** Every job. */
  public static final JobFilter ALL = new JobFilter(null, null, null, null, null, null);

  /** Refuses an empty range, blank strings and a worker that is no valid worker id. */
  public JobFilter {
    if (operation != null && operation.isBlank()) {
      throw new InvalidInputException("operation", "operation must not be blank");
    }
    if (target != null && target.isBlank()) {
      throw new InvalidInputException("target", "target must not be blank");
    }
    if (worker != null) {
      Names.requireWorkerId("worker", worker);
    }
    if (createdAfter != null && createdBefore != null && !createdAfter.isBefore(createdBefore)) {
      throw new InvalidInputException("created_before",
          "created_before must be later than created_after");
    }
  }

  /** Only jobs with {@code status} (null: all). */
  public static JobFilter status(JobStatus status) {
    return new JobFilter(status, null, null, null, null, null);
  }

  /** True when nothing but the status is set (the index answers that from its counts). */
  public boolean statusOnly() {
    return operation == null && target == null && worker == null && createdAfter == null
        && createdBefore == null;
  }
}

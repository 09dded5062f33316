package io.osapi.core.service;

import io.osapi.core.domain.JobView;

/**
 * What {@link JobClient#cancel} did.
 *
 * @param status what became of the request
 * @param job the job as it is after the request; null when {@link Status#UNKNOWN}
 */
public record CancelOutcome(Status status, JobView job) {
  /** What became of a cancel request. */
  public enum Status {
    /**
     * Stored: every run that had not ended is cancelled (those not started never start; the
     * workers running the others stop within a second or so).
     */
    CANCELLED,
    /** The job had ended already (completed, failed, partial failure or cancelled): nothing changed. */
    ALREADY_ENDED,
    /** No such job. */
    UNKNOWN
  }
}

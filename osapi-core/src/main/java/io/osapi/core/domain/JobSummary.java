package io.osapi.core.domain;

import java.time.Instant;
import java.util.Objects;

/**
 * One job in a listing: what the job index keeps of every job, so a page is served from memory.
 * The operation's data, the errors and the results are in the job's detail ({@link JobView}).
 *
 * @param id the job
 * @param status the overall status, as the detail computes it
 * @param operation the operation type ("" for a record written without it)
 * @param target the target's text ("" for a record written without it)
 * @param created when the job was accepted
 * @param updated the time of the job's newest timeline entry (its detail's {@link
 *     JobView#updated()})
 */
public record JobSummary(
    JobId id, JobStatus status, String operation, String target, Instant created,
    Instant updated) {
  /** Checks for nulls. */
  public JobSummary {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(operation, "operation");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(created, "created");
    Objects.requireNonNull(updated, "updated");
  }

  /** The summary of a job's detail. */
  public static JobSummary of(JobView v) {
    return new JobSummary(v.job().id(), v.status(), v.job().operation().type(),
        v.job().target().text(), v.job().created(), v.updated());
  }
}

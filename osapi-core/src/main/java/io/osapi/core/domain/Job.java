package io.osapi.core.domain;

import java.time.Instant;
import java.util.Objects;

/**
 * A stored job. Immutable once stored: its progress lives in its {@link Run}s.
 *
 * @param id the job id
 * @param operation what to run
 * @param kind query or modify, from the operation registry
 * @param target which workers it is for
 * @param created when the job client accepted it
 * @param signature the controller's signature of a privileged job, or null (a job that is not
 *     privileged, or one stored before signatures)
 */
public record Job(JobId id, Operation operation, OperationKind kind, Target target, Instant created,
    JobSignature signature) {
  /** Checks that no component but the signature is null. */
  public Job {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(operation, "operation");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(created, "created");
  }

  /** An unsigned job. */
  public Job(JobId id, Operation operation, OperationKind kind, Target target, Instant created) {
    this(id, operation, kind, target, created, null);
  }

  /** This job with {@code s} as its signature. */
  public Job withSignature(JobSignature s) {
    return new Job(id, operation, kind, target, created, s);
  }

}

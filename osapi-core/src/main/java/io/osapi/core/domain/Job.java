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
 */
public record Job(JobId id, Operation operation, OperationKind kind, Target target, Instant created) {
  /** Checks that no component is null. */
  public Job {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(operation, "operation");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(created, "created");
  }

}

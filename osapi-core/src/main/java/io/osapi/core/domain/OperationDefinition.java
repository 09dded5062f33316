package io.osapi.core.domain;

import java.util.Objects;

/**
 * A registered operation.
 *
 * @param type the full type, such as {@code system.hostname.get}
 * @param kind query (read-only) or modify
 * @param description one line for listings and docs
 * @param handler what runs it
 * @param privileged whether it can run commands, change files or read them on a host (beside its
 *     kind): creating one needs the {@code jobs:create:privileged} permission, the controller
 *     signs it and a worker runs it only with a valid signature and when its allow-list names it
 */
public record OperationDefinition(
    String type, OperationKind kind, String description, OperationHandler handler,
    boolean privileged) {
  /** Validates the type; checks for nulls. */
  public OperationDefinition {
    Operation.requireType(type);
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(handler, "handler");
  }

  /** A definition that is not privileged. */
  public OperationDefinition(
      String type, OperationKind kind, String description, OperationHandler handler) {
    this(type, kind, description, handler, false);
  }
}

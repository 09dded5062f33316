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
 * @param execution which thread of a worker runs the handler: {@link OperationExecution#POOLED}
 *     unless the handler never blocks
 */
public record OperationDefinition(
    String type, OperationKind kind, String description, OperationHandler handler,
    boolean privileged, OperationExecution execution) {
  /**
   * Validates the type; checks for nulls.
   *
   * @throws IllegalArgumentException for a privileged operation run {@link
   *     OperationExecution#INLINE}: what may change a host runs on a run thread
   */
  public OperationDefinition {
    Operation.requireType(type);
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(handler, "handler");
    Objects.requireNonNull(execution, "execution");
    if (privileged && execution == OperationExecution.INLINE) {
      throw new IllegalArgumentException(
          "privileged operation " + type + " cannot run inline: it may block");
    }
  }

  /** A definition run on a worker's run threads ({@link OperationExecution#POOLED}). */
  public OperationDefinition(
      String type, OperationKind kind, String description, OperationHandler handler,
      boolean privileged) {
    this(type, kind, description, handler, privileged, OperationExecution.POOLED);
  }

  /** A definition that is not privileged, run on a worker's run threads. */
  public OperationDefinition(
      String type, OperationKind kind, String description, OperationHandler handler) {
    this(type, kind, description, handler, false);
  }
}

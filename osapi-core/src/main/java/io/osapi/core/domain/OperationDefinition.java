package io.osapi.core.domain;

import java.util.Objects;

/**
 * A registered operation.
 *
 * @param type the full type, such as {@code system.hostname.get}
 * @param kind query (read-only) or modify
 * @param description one line for listings and docs
 * @param handler what runs it
 */
public record OperationDefinition(
    String type, OperationKind kind, String description, OperationHandler handler) {
  /** Validates the type; checks for nulls. */
  public OperationDefinition {
    Operation.requireType(type);
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(handler, "handler");
  }
}

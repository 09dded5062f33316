package io.osapi.core.domain;

/** An operation type that the {@link OperationRegistry} does not know. */
public final class UnknownOperationException extends InvalidInputException {
  private static final long serialVersionUID = 1L;

  /** @param type the unknown type (shortened in the message if it is long) */
  public UnknownOperationException(String type) {
    super("operation.type", "unknown operation type '" + Names.abbreviate(type, 80) + "'");
  }
}

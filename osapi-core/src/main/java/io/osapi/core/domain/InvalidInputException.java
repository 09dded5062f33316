package io.osapi.core.domain;

/**
 * Input that fails validation: a bad target, an unknown operation, data that is not JSON, bad
 * paging. The message says what is wrong and is safe to show to the caller; {@link #field()} names
 * the offending input.
 */
public class InvalidInputException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;
  private final String field;

  /**
   * @param field the name of the offending input, such as {@code target} or {@code operation.type}
   * @param message what is wrong, safe to show to the caller
   */
  public InvalidInputException(String field, String message) {
    super(message);
    this.field = field;
  }

  /** The name of the offending input. */
  public String field() {
    return field;
  }
}

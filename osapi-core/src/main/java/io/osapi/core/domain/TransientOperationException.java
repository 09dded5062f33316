package io.osapi.core.domain;

/**
 * A failure worth another try (a resource briefly unavailable): the worker hands the job back to the
 * queue with a delay instead of failing it, until the last allowed delivery.
 */
public class TransientOperationException extends Exception {
  private static final long serialVersionUID = 1L;

  /** @param message what went wrong */
  public TransientOperationException(String message) {
    super(message);
  }

  /**
   * @param message what went wrong
   * @param cause the underlying error
   */
  public TransientOperationException(String message, Throwable cause) {
    super(message, cause);
  }
}

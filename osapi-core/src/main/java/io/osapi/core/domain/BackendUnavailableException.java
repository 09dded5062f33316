package io.osapi.core.domain;

/**
 * The store or the queue could not do what was asked (unreachable, timed out). Worth another try
 * later; the REST API answers 503 for it.
 */
public class BackendUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what failed, without secrets
   * @param cause the backend's error, or null
   */
  public BackendUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}

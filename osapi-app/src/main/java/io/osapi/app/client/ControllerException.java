package io.osapi.app.client;

/**
 * A call to the controller failed: it answered with an error status, or it could not be reached
 * ({@link #status()} 0). The message is one line for people.
 */
public final class ControllerException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int status;

  /**
   * @param status the HTTP status, or 0 when no answer came
   * @param message what went wrong
   * @param cause the underlying error, or null
   */
  public ControllerException(int status, String message, Throwable cause) {
    super(message, cause);
    this.status = status;
  }

  /** The HTTP status, or 0 when the controller could not be reached. */
  public int status() {
    return status;
  }
}

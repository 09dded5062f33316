package io.osapi.app.client;

import java.time.Duration;
import java.util.Optional;

/**
 * A call to the controller failed: it answered with an error status, or it could not be reached
 * ({@link #status()} 0). The message is one line for people.
 */
public final class ControllerException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int status;
  /** The answer's {@code Retry-After}, in seconds, or -1 when it had none. */
  private final long retryAfterSeconds;

  /**
   * @param status the HTTP status, or 0 when no answer came
   * @param message what went wrong
   * @param cause the underlying error, or null
   */
  public ControllerException(int status, String message, Throwable cause) {
    this(status, message, cause, null);
  }

  /**
   * @param status the HTTP status, or 0 when no answer came
   * @param message what went wrong
   * @param cause the underlying error, or null
   * @param retryAfter the answer's {@code Retry-After} (whole seconds), or null when it had none
   */
  public ControllerException(int status, String message, Throwable cause, Duration retryAfter) {
    super(message, cause);
    this.status = status;
    this.retryAfterSeconds = retryAfter == null ? -1 : Math.max(0, retryAfter.toSeconds());
  }

  /** When the controller asked to be called again ({@code Retry-After} in seconds), if it did. */
  public Optional<Duration> retryAfter() {
    return retryAfterSeconds < 0 ? Optional.empty()
        : Optional.of(Duration.ofSeconds(retryAfterSeconds));
  }

  /** The HTTP status, or 0 when the controller could not be reached. */
  public int status() {
    return status;
  }
}

package io.osapi.core.domain;

/**
 * A run that failed for good but has a result to keep: a command that exited with a non-zero code
 * or timed out keeps its exit code and output. The worker ends the run failed (not retried) with
 * {@link #getMessage()} as its error and {@link #result()} as its result.
 */
public class OperationFailedException extends Exception {
  private static final long serialVersionUID = 1L;
  private final String result;

  /**
   * @param message why the run failed, shown to the user
   * @param result the result as JSON text, kept with the failed run (null for none)
   */
  public OperationFailedException(String message, String result) {
    super(message);
    this.result = result;
  }

  /** The result as JSON text, or null. */
  public String result() {
    return result;
  }
}

package io.osapi.core.domain;

/** A stored record exists but cannot be read: poison that no retry will cure. */
public class CorruptRecordException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what is wrong with it
   * @param cause the parse error, or null
   */
  public CorruptRecordException(String message, Throwable cause) {
    super(message, cause);
  }
}

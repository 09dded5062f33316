package io.osapi.core.domain;

/**
 * A compare-and-set found another revision than it named: someone else changed the value (or
 * created it, for a create) first. Nothing was written; read the value again to decide.
 */
public final class RevisionConflictException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** @param message what was written and what it found */
  public RevisionConflictException(String message) {
    super(message);
  }

  /** @param message what was written and what it found; @param cause the store's error */
  public RevisionConflictException(String message, Throwable cause) {
    super(message, cause);
  }
}

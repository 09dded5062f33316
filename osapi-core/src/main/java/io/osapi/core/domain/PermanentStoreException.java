package io.osapi.core.domain;

/**
 * The store refused one request for a reason that trying again will not cure: the key is not
 * valid for it, or the value is larger than it takes (NATS: the server's max payload). It is about
 * this request only, never an outage: callers end the job it concerns with this message as the
 * reason instead of retrying, and the REST API answers 422 for it.
 */
public class PermanentStoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what was refused and why, without secrets
   * @param cause the store's error, or null
   */
  public PermanentStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}

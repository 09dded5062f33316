package io.osapi.core.domain;

/**
 * A bounded job store refused a new job: it holds as many jobs, or as many bytes, as its limit
 * allows. Jobs already stored are not affected (their runs are still written); deleted and expired
 * jobs free their share. The REST API answers 507 for it.
 */
public class StoreFullException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Which limit was reached. */
  public enum Limit {
    /** The number of jobs stored. */
    JOBS,
    /** The estimated bytes of the stored records and runs. */
    BYTES
  }

  private final Limit limit;
  private final long max;

  /**
   * @param limit the limit reached
   * @param max its value (jobs, or bytes)
   * @param message what was refused, for people
   */
  public StoreFullException(Limit limit, long max, String message) {
    super(message);
    this.limit = limit;
    this.max = max;
  }

  /** The limit reached. */
  public Limit limit() {
    return limit;
  }

  /** The limit's value: jobs, or bytes. */
  public long max() {
    return max;
  }
}

package io.osapi.core.domain;

/**
 * A bounded job store refused a write: it holds as many jobs, or as many bytes, as its limit
 * allows. A store refuses new jobs short of its bound, so that jobs already stored still have room
 * for their runs; deleted and expired jobs free their share. The REST API answers 507 for it; it is
 * never a reason to wait and try again at once (unlike {@link BackendUnavailableException}).
 */
public class StoreFullException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Which limit was reached. */
  public enum Limit {
    /** The number of jobs stored. */
    JOBS,
    /** The estimated bytes of the stored records and runs. */
    BYTES,
    /** The byte bound of a job bucket on a server (NATS: its share of the server's storage). */
    BUCKET,
    /** The server's storage, shared with others (NATS: JetStream's max_file_store). */
    SERVER
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

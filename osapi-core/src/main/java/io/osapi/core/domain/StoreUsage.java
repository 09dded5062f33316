package io.osapi.core.domain;

/**
 * How full a job store is, as last measured: what {@code osapi_job_store_usage_ratio} and {@code
 * osapi_job_store_full} show and {@code /health/ready} reports.
 *
 * @param bytes bytes held now (as the store counts them)
 * @param maxBytes the store's byte bound, or 0 when it has none
 * @param full whether the store refuses new jobs now (past the part of its bound kept for the runs
 *     of the jobs it holds, or its server has no room)
 * @param reason why it is full, for people; null when it is not
 */
public record StoreUsage(long bytes, long maxBytes, boolean full, String reason) {
  /** A store without a bound that is not full. */
  public static final StoreUsage UNBOUNDED = new StoreUsage(0, 0, false, null);

  /** Checks the figures. */
  public StoreUsage {
    if (bytes < 0 || maxBytes < 0) {
      throw new IllegalArgumentException("bytes must not be negative: " + bytes + ", " + maxBytes);
    }
    if (full && reason == null) {
      throw new IllegalArgumentException("a full store needs a reason");
    }
  }

  /** {@code bytes / maxBytes}, or 0 without a bound. */
  public double ratio() {
    return maxBytes == 0 ? 0 : (double) bytes / maxBytes;
  }
}

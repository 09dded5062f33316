package io.osapi.core.memory;

/**
 * The size bound of an {@link InMemoryJobStore}: past either limit, a new job is refused with
 * {@link io.osapi.core.domain.StoreFullException}; jobs stored keep being written.
 *
 * @param maxJobs jobs kept at most (at least 1)
 * @param maxBytes estimated bytes of the records and runs kept at most (at least 1): two bytes
 *     per character of their text plus a fixed overhead per record, run and timeline entry
 */
public record StoreLimits(long maxJobs, long maxBytes) {
  /** No bound. */
  public static final StoreLimits NONE = new StoreLimits(Long.MAX_VALUE, Long.MAX_VALUE);

  /** Default number of jobs of the embedded broker. */
  public static final long DEFAULT_MAX_JOBS = 100_000;

  /** Checks that both limits are positive. */
  public StoreLimits {
    if (maxJobs < 1 || maxBytes < 1) {
      throw new IllegalArgumentException("limits must be positive: " + maxJobs + " jobs, "
          + maxBytes + " bytes");
    }
  }

  /**
   * The default bound for a heap of {@code maxHeapBytes}: {@value #DEFAULT_MAX_JOBS} jobs and a
   * quarter of the heap.
   */
  public static StoreLimits forHeap(long maxHeapBytes) {
    return new StoreLimits(DEFAULT_MAX_JOBS, Math.max(1, maxHeapBytes / 4));
  }
}

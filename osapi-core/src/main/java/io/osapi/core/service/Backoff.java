package io.osapi.core.service;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential back-off with jitter, capped: the delay before retry {@code n} (from 0) is drawn
 * evenly from half to all of {@code min(max, first * 2^n)}, so retries of many callers that
 * failed together spread out instead of arriving together again.
 *
 * @param first the nominal delay before the first retry (positive)
 * @param max the largest nominal delay (at least {@code first})
 */
public record Backoff(Duration first, Duration max) {
  /** The back-off of a create held through a fail-over: 50 ms, doubling, at most 1 s. */
  public static final Backoff CREATE = new Backoff(Duration.ofMillis(50), Duration.ofSeconds(1));

  /** Checks that the delays are positive and ordered. */
  public Backoff {
    Objects.requireNonNull(first, "first");
    Objects.requireNonNull(max, "max");
    if (first.isNegative() || first.isZero()) {
      throw new IllegalArgumentException("first must be positive: " + first);
    }
    if (max.compareTo(first) < 0) {
      throw new IllegalArgumentException("max must be at least first: " + max);
    }
  }

  /** The nominal (largest) delay before retry {@code n}: {@code min(max, first * 2^n)}. */
  public Duration nominal(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("n must not be negative: " + n);
    }
    long firstNanos = first.toNanos();
    long maxNanos = max.toNanos();
    // 2^n overflows long past 62; the cap is reached long before on any sane first delay
    if (n >= 62 || firstNanos > (maxNanos >> Math.min(n, 62))) {
      return max;
    }
    return Duration.ofNanos(Math.min(maxNanos, firstNanos << n));
  }

  /** The delay before retry {@code n}, from half to all of {@link #nominal}. */
  public Duration delay(int n) {
    long nominal = nominal(n).toNanos();
    long half = nominal / 2;
    return Duration.ofNanos(half + ThreadLocalRandom.current().nextLong(nominal - half + 1));
  }
}

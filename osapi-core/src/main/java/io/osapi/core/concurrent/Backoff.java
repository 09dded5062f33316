package io.osapi.core.concurrent;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How long to wait before trying again: exponential from {@code initial}, capped at {@code max},
 * with up to {@code jitter} of each wait taken off at random so that processes that failed
 * together do not retry together. The one retry policy of osapi: the worker's fetch loop and end
 * writes, the NATS adapter's publishes and provisioning, and the controller's held creates use it,
 * each with its own figures.
 *
 * @param initial the first wait
 * @param max the longest wait
 * @param multiplier how much each wait grows (1 for a fixed interval)
 * @param jitter the fraction of a wait that may be taken off at random, from 0 to 1
 */
public record Backoff(Duration initial, Duration max, double multiplier, double jitter) {
  /** Retrying a store or queue call inside a process: 100 ms, doubling, at most 1 s. */
  public static final Backoff STORE =
      new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), 2, 0.2);

  /**
   * Retrying a create held through a fail-over (the job client's create patience): 50 ms, doubling,
   * at most 1 s, each wait from half to all of that.
   */
  public static final Backoff CREATE =
      new Backoff(Duration.ofMillis(50), Duration.ofSeconds(1), 2, 0.5);

  /** @throws IllegalArgumentException for a negative or zero wait, or figures out of range */
  public Backoff {
    Objects.requireNonNull(initial, "initial");
    Objects.requireNonNull(max, "max");
    if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
      throw new IllegalArgumentException("backoff waits must be positive, initial <= max: "
          + initial + ", " + max);
    }
    if (!(multiplier >= 1) || Double.isInfinite(multiplier)) {
      throw new IllegalArgumentException("backoff multiplier must be at least 1: " + multiplier);
    }
    if (!(jitter >= 0 && jitter <= 1)) {
      throw new IllegalArgumentException("backoff jitter must be from 0 to 1: " + jitter);
    }
  }

  /** A fixed interval, without jitter. */
  public static Backoff fixed(Duration interval) {
    return new Backoff(interval, interval, 1, 0);
  }

  /**
   * The wait before try {@code failures + 1}, after {@code failures} failed tries (0 or more):
   * {@code initial * multiplier^failures}, capped at {@code max}, less a random part of up to
   * {@code jitter} of it.
   */
  public Duration delay(int failures) {
    double ms = initial.toMillis() * Math.pow(multiplier, Math.max(0, failures));
    double capped = Math.min(ms, max.toMillis());
    double off = jitter == 0 ? 0 : capped * jitter * ThreadLocalRandom.current().nextDouble();
    return Duration.ofMillis(Math.max(1, Math.round(capped - off)));
  }

  /** {@link #delay} in milliseconds. */
  public long delayMillis(int failures) {
    return delay(failures).toMillis();
  }
}

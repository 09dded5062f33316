package io.osapi.core.domain;

import java.util.Objects;

/**
 * A stored value with its revision: the number a compare-and-set names to replace exactly this
 * value. Revisions are positive; 0 names "not stored yet" in a create.
 *
 * @param value the value
 * @param revision its revision, at least 1
 * @param <T> the value's type
 */
public record Versioned<T>(T value, long revision) {
  /** Checks for a value and a positive revision. */
  public Versioned {
    Objects.requireNonNull(value, "value");
    if (revision < 1) {
      throw new IllegalArgumentException("revision must be positive: " + revision);
    }
  }
}

package io.osapi.core.memory;

import io.osapi.core.domain.IdempotencyRecord;
import io.osapi.core.domain.RevisionConflictException;
import io.osapi.core.port.IdempotencyKeys;
import io.osapi.core.domain.Versioned;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * {@link IdempotencyKeys} in this process's memory (the all-in-one process without NATS, and
 * tests): a key expires {@link #window()} after its last write, by {@code clock}; expired keys are
 * dropped on each create, oldest first (keys are kept in the order of
 * their last write, so that costs nothing per live key). Thread-safe.
 */
public final class InMemoryIdempotencyKeys implements IdempotencyKeys {
  private record Entry(IdempotencyRecord record, long revision, Instant written) {}

  private final Duration window;
  private final Clock clock;
  private final Map<String, Entry> keys = new LinkedHashMap<>(); // by last write; guarded by this
  private long revisions; // guarded by this

  /** Keys kept for {@code window} (positive) by {@code clock}. */
  public InMemoryIdempotencyKeys(Duration window, Clock clock) {
    if (window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException("window must be positive: " + window);
    }
    this.window = window;
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public Duration window() {
    return window;
  }

  @Override
  public synchronized long create(String key, IdempotencyRecord record) {
    Objects.requireNonNull(record, "record");
    expire();
    if (keys.containsKey(key)) {
      throw new RevisionConflictException("idempotency key " + key + " is taken");
    }
    return put(key, record);
  }

  @Override
  public synchronized Optional<Versioned<IdempotencyRecord>> get(String key) {
    Entry e = live(key);
    return e == null ? Optional.empty() : Optional.of(new Versioned<>(e.record(), e.revision()));
  }

  @Override
  public synchronized long update(String key, IdempotencyRecord record, long revision) {
    Objects.requireNonNull(record, "record");
    Entry e = live(key);
    if (e == null || e.revision() != revision) {
      throw new RevisionConflictException("idempotency key " + key + " is no longer at revision "
          + revision);
    }
    return put(key, record);
  }

  @Override
  public synchronized boolean release(String key, long revision) {
    Entry e = live(key);
    if (e == null || e.revision() != revision) {
      return false;
    }
    keys.remove(key);
    return true;
  }

  private Entry live(String key) {
    Entry e = keys.get(key);
    if (e != null && expired(e)) {
      keys.remove(key);
      return null;
    }
    return e;
  }

  private long put(String key, IdempotencyRecord record) {
    long rev = ++revisions;
    keys.remove(key); // to the end: the order of last writes
    keys.put(key, new Entry(record, rev, clock.instant()));
    return rev;
  }

  private boolean expired(Entry e) {
    return !clock.instant().isBefore(e.written().plus(window));
  }

  private void expire() {
    for (Iterator<Entry> it = keys.values().iterator(); it.hasNext(); ) {
      if (!expired(it.next())) {
        return;
      }
      it.remove();
    }
  }
}

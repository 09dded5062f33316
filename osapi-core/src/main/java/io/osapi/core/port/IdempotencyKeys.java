package io.osapi.core.port;

import io.osapi.core.domain.BackendUnavailableException;
import io.osapi.core.domain.IdempotencyKey;
import io.osapi.core.domain.IdempotencyRecord;
import io.osapi.core.domain.RevisionConflictException;
import io.osapi.core.domain.Versioned;
import java.time.Duration;
import java.util.Optional;

/**
 * Where the idempotency keys of job creates are kept, each for {@link #window()} after its last
 * write, shared by every controller: a key is taken by create-if-absent (the first writer wins)
 * and changed by compare-and-set on its revision. Keys are the {@link IdempotencyKey#storeKey}
 * names (64 hex digits). Every method may throw {@link BackendUnavailableException}.
 */
public interface IdempotencyKeys {
  /** How long a key is kept after its last write; a repeat after that is a new request. */
  Duration window();

  /**
   * Takes {@code key} with {@code record}.
   *
   * @return the revision written
   * @throws RevisionConflictException when the key is taken (within the window)
   */
  long create(String key, IdempotencyRecord record);

  /** The record of {@code key}, or empty when it is not taken (or its window has passed). */
  Optional<Versioned<IdempotencyRecord>> get(String key);

  /**
   * Replaces the record of {@code key} if it is still at {@code revision}.
   *
   * @return the revision written
   * @throws RevisionConflictException when it is not (changed, released or expired)
   */
  long update(String key, IdempotencyRecord record, long revision);

  /**
   * Releases {@code key} if it is still at {@code revision} (a create refused for good frees its
   * key for a corrected request).
   *
   * @return whether it was released (false: changed meanwhile, or not taken)
   */
  boolean release(String key, long revision);
}

package io.osapi.adapter.nats;

import io.osapi.core.port.IdempotencyKeys;

/**
 * The idempotency keys of a {@link NatsBackend}: bucket {@code osapi-idempotency}, which only
 * controllers (the processes that own the layout) create and may use.
 */
public final class NatsIdempotency {
  private NatsIdempotency() {}

  /**
   * The keys on {@code backend}'s connection, kept for its settings' {@link
   * NatsSettings#idempotencyWindow()}; they work while the backend is ready.
   */
  public static IdempotencyKeys keys(NatsBackend backend) {
    return new NatsIdempotencyKeys(new NatsBackendLink(backend),
        backend.settings().idempotencyWindow());
  }
}

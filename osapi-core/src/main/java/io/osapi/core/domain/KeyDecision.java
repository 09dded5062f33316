package io.osapi.core.domain;

import java.time.Instant;
import java.util.Objects;

/**
 * An operator's decision on one worker's public key, kept by the controllers (never written by a
 * worker).
 *
 * @param workerId the worker
 * @param publicKey the key decided on: base64 of its X.509 encoding ({@code WorkerKey} in the
 *     service package makes and reads it)
 * @param state {@link KeyState#ACCEPTED} or {@link KeyState#REJECTED}
 * @param at when it was decided
 */
public record KeyDecision(String workerId, String publicKey, KeyState state, Instant at) {
  /** Checks for nulls and a decided state. */
  public KeyDecision {
    Names.requireWorkerId("worker", workerId);
    Objects.requireNonNull(publicKey, "publicKey");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(at, "at");
    if (state == KeyState.PENDING) {
      throw new IllegalArgumentException("a decision accepts or rejects");
    }
  }

  /**
   * The state of {@code announced} (the key a worker's heartbeat carries) under {@code decision}
   * (null when none): the decision when it is about that key, else pending.
   */
  public static KeyState stateOf(String announced, KeyDecision decision) {
    if (decision == null || announced == null || !decision.publicKey.equals(announced)) {
      return KeyState.PENDING;
    }
    return decision.state;
  }
}

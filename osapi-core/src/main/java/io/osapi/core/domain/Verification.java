package io.osapi.core.domain;

import java.util.Objects;

/**
 * Whether a run's end was signed by the worker it names, with the accepted key of that worker:
 * only a verified end is that worker's answer.
 *
 * @param verified true when the signature matches the worker's accepted key
 * @param reason why it is not verified, or null when it is
 */
public record Verification(boolean verified, String reason) {
  /** The one verified value. */
  public static final Verification VERIFIED = new Verification(true, null);

  /** Checks that an unverified value says why, and a verified one does not. */
  public Verification {
    if (verified != (reason == null)) {
      throw new IllegalArgumentException("an unverified end needs a reason, a verified one none");
    }
  }

  /** Not verified, because of {@code reason}. */
  public static Verification unverified(String reason) {
    return new Verification(false, Objects.requireNonNull(reason, "reason"));
  }
}

package io.osapi.app.auth;

import java.util.Objects;

/** The outcome of checking a request's credential: a caller, or why there is none. */
public sealed interface Authentication {
  /** The credential verified. */
  record Verified(Caller caller) implements Authentication {
    /** Checks for null. */
    public Verified {
      Objects.requireNonNull(caller, "caller");
    }
  }

  /**
   * The credential is missing or does not verify (never {@link AuthFailure#FORBIDDEN}).
   *
   * @param reason why, for the metric and the log
   * @param detail what the server log may say (never the token, never a key)
   */
  record Refused(AuthFailure reason, String detail) implements Authentication {
    /** Checks for nulls. */
    public Refused {
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(detail, "detail");
    }
  }
}

package io.osapi.core.domain;

import java.time.Duration;
import java.util.Objects;

/**
 * A queue handler's answer that an item (an exhausted delivery, a due deadline) cannot be settled
 * yet: not a failure. The queue hands the same item to a handler again after {@link #after()}, as
 * many times as it is answered so, and logs it as a wait, not as an error.
 */
public final class SettleLaterException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient Duration after;

  /**
   * @param reason why the item waits, for the log
   * @param after how long until the item is handed out again; positive
   */
  public SettleLaterException(String reason, Duration after) {
    super(Objects.requireNonNull(reason, "reason"), null, false, false);
    Objects.requireNonNull(after, "after");
    if (after.isNegative() || after.isZero()) {
      throw new IllegalArgumentException("after must be positive: " + after);
    }
    this.after = after;
  }

  /** How long until the item is handed out again. */
  public Duration after() {
    return after;
  }
}

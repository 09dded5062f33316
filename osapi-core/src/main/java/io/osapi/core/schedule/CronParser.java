package io.osapi.core.schedule;

import java.time.ZoneId;

/**
 * Reads five-field cron expressions (minute, hour, day of month, month, day of week), as the
 * application's cron library does: the core has none of its own.
 */
@FunctionalInterface
public interface CronParser {
  /**
   * The cadence of {@code expression} in {@code zone}.
   *
   * @throws io.osapi.core.domain.InvalidInputException (field {@code cron}) for an expression that
   *     is not five valid fields
   */
  Cadence parse(String expression, ZoneId zone);

  /** A parser that refuses every expression: for processes that only use {@code every}. */
  static CronParser none() {
    return (e, z) -> {
      throw new io.osapi.core.domain.InvalidInputException("cron",
          "cron expressions are not supported here; use every");
    };
  }
}

package io.osapi.app.schedule;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import io.osapi.core.domain.InvalidInputException;
import io.osapi.core.schedule.Cadence;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Optional;

/**
 * Five-field Unix cron expressions (minute, hour, day of month, month, day of week; lists,
 * ranges, steps and names such as {@code MON}) with cron-utils: a kept, dependency-light library
 * (its one runtime dependency is the SLF4J API) that evaluates expressions in a time zone,
 * daylight-saving changes included, and answers the next time after any instant. Thread-safe.
 */
public final class CronUtilsParser implements io.osapi.core.schedule.CronParser {
  private static final CronParser UNIX =
      new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
  /** Longest expression read. */
  static final int MAX_LENGTH = 200;

  @Override
  public Cadence parse(String expression, ZoneId zone) {
    if (expression == null || expression.isBlank() || expression.length() > MAX_LENGTH) {
      throw new InvalidInputException("cron", "cron must be five fields (minute hour"
          + " day-of-month month day-of-week), at most " + MAX_LENGTH + " characters");
    }
    String e = expression.trim();
    if (e.split("\\s+").length != 5) {
      throw new InvalidInputException("cron", "cron '" + abbreviate(e) + "' is not five fields"
          + " (minute hour day-of-month month day-of-week)");
    }
    ExecutionTime t;
    try {
      t = ExecutionTime.forCron(UNIX.parse(e));
    } catch (IllegalArgumentException x) {
      throw new InvalidInputException("cron", "cron '" + abbreviate(e) + "' is not valid: "
          + abbreviate(String.valueOf(x.getMessage())));
    }
    return after -> next(t, after, zone);
  }

  private static Optional<Instant> next(ExecutionTime t, Instant after, ZoneId zone) {
    return t.nextExecution(after.atZone(zone)).map(z -> z.toInstant());
  }

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }
}

package io.osapi.core.schedule;

import io.osapi.core.domain.InvalidInputException;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The text forms of schedules: names and durations ({@code 90s}, {@code 5m}, {@code 1d}). */
public final class ScheduleText {
  /** A schedule name: a lower-case letter or digit, then up to 63 of those, {@code -} and {@code _}. */
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
  private static final Pattern DURATION = Pattern.compile("(0|[1-9][0-9]{0,6})(s|m|h|d)");

  private ScheduleText() {}

  /** Checks a schedule name (field {@code name}); it is one NATS key token. */
  public static String requireName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new InvalidInputException("name", "a schedule name is 1 to 64 characters of a-z, 0-9,"
          + " - and _, starting with a letter or digit");
    }
    return name;
  }

  /** Reads {@code 0s}, {@code 90s}, {@code 5m}, {@code 2h}, {@code 1d}. */
  public static Duration parseDuration(String field, String text) {
    Matcher m = text == null ? null : DURATION.matcher(text);
    if (m == null || !m.matches()) {
      throw new InvalidInputException(field, field + " must be a number and a unit: 90s, 5m, 2h"
          + " or 1d");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
  }

  /** A whole-second duration as {@link #parseDuration} reads it, in its largest whole unit. */
  public static String durationText(Duration d) {
    long s = d.toSeconds();
    if (s == 0) {
      return "0s";
    }
    if (s % 86_400 == 0) {
      return s / 86_400 + "d";
    }
    if (s % 3_600 == 0) {
      return s / 3_600 + "h";
    }
    return s % 60 == 0 ? s / 60 + "m" : s + "s";
  }
}

package io.osapi.app.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as operators write them: {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}, {@code
 * 1d}, combined like {@code 1m30s}, or ISO-8601 ({@code PT30S}).
 */
public final class Durations {
  private static final Pattern PART = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");

  /** The longest duration any option accepts: 100 years (36500d). */
  public static final Duration MAX = Duration.ofDays(36500);

  private Durations() {}

  /**
   * Parses a duration.
   *
   * @param option the option the text came from, for the error message
   * @throws ConfigException naming {@code option} when the text is not a duration
   */
  public static Duration parse(String option, String text) {
    if (text == null || text.isBlank()) {
      throw new ConfigException(option, "expected a duration like 30s or 2m, got nothing");
    }
    String t = text.trim();
    if (t.startsWith("P") || t.startsWith("p")) {
      try {
        return bounded(option, text, Duration.parse(t));
      } catch (DateTimeParseException | ArithmeticException e) {
        throw new ConfigException(option, "'" + text + "' is not an ISO-8601 duration");
      }
    }
    Matcher m = PART.matcher(t);
    Duration total = Duration.ZERO;
    int end = 0;
    while (m.find() && m.start() == end) {
      long n = Long.parseLong(m.group(1));
      total =
          total.plus(
              switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
              });
      end = m.end();
    }
    if (end == 0 || end != t.length()) {
      throw new ConfigException(
          option, "'" + text + "' is not a duration: use a number with ms, s, m, h or d (like 30s)");
    }
    return bounded(option, text, total);
  }

  private static Duration bounded(String option, String text, Duration d) {
    if (d.compareTo(MAX) > 0) {
      throw new ConfigException(option, "'" + text + "' is too long: at most 36500d");
    }
    return d;
  }

  /**
   * Parses a duration with an upper bound.
   *
   * @param max the longest value accepted, named in the message as {@code maxText}
   * @throws ConfigException naming {@code option} for malformed values or values over {@code max}
   */
  public static Duration parseAtMost(String option, String text, Duration max, String maxText) {
    Duration d = parse(option, text);
    if (d.compareTo(max) > 0) {
      throw new ConfigException(option, "must be at most " + maxText + ", got '" + text + "'");
    }
    return d;
  }

  /**
   * Parses a duration that must be positive.
   *
   * @throws ConfigException naming {@code option} for zero, negative or malformed values
   */
  public static Duration parsePositive(String option, String text) {
    Duration d = parse(option, text);
    if (d.isZero() || d.isNegative()) {
      throw new ConfigException(option, "must be more than zero, got '" + text + "'");
    }
    return d;
  }

  /** Short human form: {@code 1m30s}, {@code 250ms}, {@code 0s}. */
  public static String format(Duration d) {
    if (d.isZero()) {
      return "0s";
    }
    StringBuilder sb = new StringBuilder();
    long h = d.toHours();
    int m = d.toMinutesPart();
    int s = d.toSecondsPart();
    int ms = d.toMillisPart();
    if (h > 0) {
      sb.append(h).append('h');
    }
    if (m > 0) {
      sb.append(m).append('m');
    }
    if (s > 0) {
      sb.append(s).append('s');
    }
    if (ms > 0) {
      sb.append(ms).append("ms");
    }
    return sb.toString();
  }
}

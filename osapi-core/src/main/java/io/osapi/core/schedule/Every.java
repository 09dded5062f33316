package io.osapi.core.schedule;

import io.osapi.core.domain.InvalidInputException;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A fixed period: ticks at every whole multiple of it since the Unix epoch ({@code every 2s} ticks
 * at even seconds), so every controller computes the same ticks whenever it starts.
 *
 * @param period the period, {@link #MIN} to {@link #MAX}
 */
public record Every(Duration period) implements Cadence {
  /** The shortest period: one second. */
  public static final Duration MIN = Duration.ofSeconds(1);
  /** The longest period: 31 days. */
  public static final Duration MAX = Duration.ofDays(31);

  private static final Pattern TEXT = Pattern.compile("([1-9][0-9]{0,6})(s|m|h|d)");

  /** Checks the bounds and that the period is whole seconds. */
  public Every {
    Objects.requireNonNull(period, "period");
    if (period.compareTo(MIN) < 0 || period.compareTo(MAX) > 0 || period.toNanos() % 1_000_000_000L != 0) {
      throw new InvalidInputException("every", "every must be whole seconds between 1s and 31d");
    }
  }

  /** Parses {@code 30s}, {@code 5m}, {@code 2h}, {@code 1d}. */
  public static Every parse(String text) {
    Matcher m = text == null ? null : TEXT.matcher(text);
    if (m == null || !m.matches()) {
      throw new InvalidInputException("every",
          "every must be a number and a unit: 30s, 5m, 2h or 1d");
    }
    long n = Long.parseLong(m.group(1));
    Duration d = switch (m.group(2)) {
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
    return new Every(d);
  }

  /** The period as {@link #parse} reads it, in the largest whole unit. */
  public String text() {
    long s = period.toSeconds();
    if (s % 86_400 == 0) {
      return s / 86_400 + "d";
    }
    if (s % 3_600 == 0) {
      return s / 3_600 + "h";
    }
    if (s % 60 == 0) {
      return s / 60 + "m";
    }
    return s + "s";
  }

  @Override
  public Optional<Instant> next(Instant after) {
    long p = period.toMillis();
    long a = after.toEpochMilli();
    return Optional.of(Instant.ofEpochMilli(Math.floorDiv(a, p) * p + p));
  }
}

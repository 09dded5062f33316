package io.osapi.adapter.nats;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;

/**
 * Writes an instant exactly as {@link Instant#toString()} does ({@code 2026-01-02T03:04:05Z}, with
 * 3, 6 or 9 digits of fraction when there is one), straight into a JSON generator without the
 * formatter machinery: records and runs write several per job. Years outside 0000 to 9999 go
 * through {@link Instant#toString()}. {@link JsonReader#instant(String)} reads them back.
 */
final class IsoInstants {
  /** Longest text written here: {@code yyyy-MM-ddTHH:mm:ss.nnnnnnnnnZ}. */
  static final int MAX_LENGTH = 30;
  private static final long MIN_SECOND = -62_167_219_200L; // 0000-01-01T00:00:00Z
  private static final long MAX_SECOND = 253_402_300_799L; // 9999-12-31T23:59:59Z

  private IsoInstants() {}

  /** Writes field {@code name} with {@code t} as its string value. */
  static void write(JsonGenerator g, String name, Instant t) throws IOException {
    g.writeFieldName(name);
    write(g, t);
  }

  /** Writes {@code t} as a string value. */
  static void write(JsonGenerator g, Instant t) throws IOException {
    char[] buf = new char[MAX_LENGTH];
    int n = format(t, buf);
    if (n < 0) {
      g.writeString(t.toString());
    } else {
      g.writeString(buf, 0, n);
    }
  }

  /** {@code t} as {@link Instant#toString()} writes it (for tests and other callers). */
  static String toString(Instant t) {
    char[] buf = new char[MAX_LENGTH];
    int n = format(t, buf);
    return n < 0 ? t.toString() : new String(buf, 0, n);
  }

  /** Formats {@code t} into {@code buf}; the length, or -1 when its year is not 0000 to 9999. */
  static int format(Instant t, char[] buf) {
    long sec = t.getEpochSecond();
    if (sec < MIN_SECOND || sec > MAX_SECOND) {
      return -1;
    }
    long days = Math.floorDiv(sec, 86_400L);
    int secOfDay = (int) Math.floorMod(sec, 86_400L);
    LocalDate d = LocalDate.ofEpochDay(days);
    two(buf, 0, d.getYear() / 100);
    two(buf, 2, d.getYear() % 100);
    buf[4] = '-';
    two(buf, 5, d.getMonthValue());
    buf[7] = '-';
    two(buf, 8, d.getDayOfMonth());
    buf[10] = 'T';
    two(buf, 11, secOfDay / 3600);
    buf[13] = ':';
    two(buf, 14, secOfDay / 60 % 60);
    buf[16] = ':';
    two(buf, 17, secOfDay % 60);
    int n = 19;
    int nano = t.getNano();
    if (nano != 0) {
      buf[n++] = '.';
      int digits;
      int value;
      if (nano % 1_000_000 == 0) {
        digits = 3;
        value = nano / 1_000_000;
      } else if (nano % 1_000 == 0) {
        digits = 6;
        value = nano / 1_000;
      } else {
        digits = 9;
        value = nano;
      }
      for (int i = n + digits - 1; i >= n; i--) {
        buf[i] = (char) ('0' + value % 10);
        value /= 10;
      }
      n += digits;
    }
    buf[n++] = 'Z';
    return n;
  }

  private static void two(char[] buf, int at, int v) {
    buf[at] = (char) ('0' + v / 10);
    buf[at + 1] = (char) ('0' + v % 10);
  }
}

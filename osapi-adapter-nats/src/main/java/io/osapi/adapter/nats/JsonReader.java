package io.osapi.adapter.nats;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.osapi.core.domain.TimelineEntry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * A Jackson streaming parser over one stored value, with the readers {@link Records} shares:
 * strings, numbers, instants, timelines, and raw JSON values as the exact bytes they were stored
 * as. Every problem is an exception for {@link Records} to turn into a corrupt record.
 */
final class JsonReader implements AutoCloseable {
  final byte[] src;
  final JsonParser p;

  JsonReader(byte[] src) throws IOException {
    if (src == null || src.length == 0) {
      throw new IllegalArgumentException("empty");
    }
    this.src = src;
    this.p = Records.JSON.createParser(src);
  }

  void start() throws IOException {
    expect(p.nextToken() == JsonToken.START_OBJECT, "not a JSON object");
  }

  /** After the top-level object: nothing else may follow. */
  void end() throws IOException {
    expect(p.currentToken() == JsonToken.END_OBJECT, "unexpected " + p.currentToken());
    expect(p.nextToken() == null, "text after the JSON object");
  }

  void version(int v) {
    if (v != Records.FORMAT) {
      throw new IllegalArgumentException(v == 0
          ? "no format version (written by an osapi before the v2 store?)"
          : "format version " + v + ", this osapi reads " + Records.FORMAT);
    }
  }

  List<TimelineEntry> timeline() throws IOException {
    expect(p.nextToken() == JsonToken.START_ARRAY, "timeline is not an array");
    List<TimelineEntry> out = new ArrayList<>();
    JsonToken t;
    while ((t = p.nextToken()) == JsonToken.START_OBJECT) {
      Instant time = null;
      String event = null;
      String worker = null;
      String message = null;
      String error = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        switch (p.currentName()) {
          case "time" -> time = instant();
          case "event" -> event = string();
          case "worker" -> worker = string();
          case "message" -> message = string();
          case "error" -> error = string();
          default -> skip();
        }
      }
      out.add(new TimelineEntry(time, event, worker, message, error));
    }
    expect(t == JsonToken.END_ARRAY, "timeline holds a non-object");
    return out;
  }

  /** The next value, a string or null. */
  String string() throws IOException {
    JsonToken t = p.nextToken();
    if (t == JsonToken.VALUE_NULL) {
      return null;
    }
    expect(t == JsonToken.VALUE_STRING, "field '" + p.currentName() + "' is not a string");
    return p.getText();
  }

  int intValue() throws IOException {
    expect(p.nextToken() == JsonToken.VALUE_NUMBER_INT,
        "field '" + p.currentName() + "' is not a whole number");
    return p.getIntValue();
  }

  long longValue() throws IOException {
    expect(p.nextToken() == JsonToken.VALUE_NUMBER_INT,
        "field '" + p.currentName() + "' is not a whole number");
    return p.getLongValue();
  }

  boolean bool() throws IOException {
    JsonToken t = p.nextToken();
    expect(t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE,
        "field '" + p.currentName() + "' is not a boolean");
    return t == JsonToken.VALUE_TRUE;
  }

  Instant instant() throws IOException {
    String s = string();
    return s == null ? null : instant(s);
  }

  /** The next value's text exactly as stored: its byte span in the source. */
  String raw() throws IOException {
    JsonToken t = p.nextToken();
    expect(t != null, "value missing");
    long start = p.currentTokenLocation().getByteOffset();
    if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
      p.skipChildren();
    } else {
      p.finishToken();
    }
    long end = p.currentLocation().getByteOffset();
    expect(start >= 0 && end > start && end <= src.length, "cannot locate a raw value");
    return new String(src, (int) start, (int) (end - start), StandardCharsets.UTF_8);
  }

  void skip() throws IOException {
    p.nextToken();
    p.skipChildren();
  }

  void expect(boolean ok, String what) {
    if (!ok) {
      throw new IllegalArgumentException(what);
    }
  }

  @Override
  public void close() throws IOException {
    p.close();
  }

  /**
   * An ISO-8601 instant as {@link Instant#toString()} writes it ({@code
   * 2026-01-02T03:04:05.123456789Z}), read without the formatter machinery; anything else goes to
   * {@link Instant#parse}.
   */
  static Instant instant(String s) {
    int n = s.length();
    if (n >= 20 && n <= 30 && s.charAt(4) == '-' && s.charAt(7) == '-' && s.charAt(10) == 'T'
        && s.charAt(13) == ':' && s.charAt(16) == ':' && s.charAt(n - 1) == 'Z') {
      int year = digits(s, 0, 4);
      int month = digits(s, 5, 7);
      int day = digits(s, 8, 10);
      int hour = digits(s, 11, 13);
      int minute = digits(s, 14, 16);
      int second = digits(s, 17, 19);
      int nanos = 0;
      boolean ok = year >= 0 && month >= 1 && month <= 12 && day >= 1 && hour >= 0 && hour < 24
          && minute >= 0 && minute < 60 && second >= 0 && second < 60;
      if (ok && n > 20) {
        int frac = n - 21; // digits between '.' and 'Z'
        ok = s.charAt(19) == '.' && frac >= 1 && frac <= 9;
        int f = ok ? digits(s, 20, n - 1) : -1;
        ok = ok && f >= 0;
        if (ok) {
          nanos = f;
          for (int i = frac; i < 9; i++) {
            nanos *= 10;
          }
        }
      }
      if (ok) {
        long days = LocalDate.of(year, month, day).toEpochDay();
        return Instant.ofEpochSecond(days * 86_400L + hour * 3_600L + minute * 60L + second, nanos);
      }
    }
    return Instant.parse(s);
  }

  private static int digits(String s, int from, int to) {
    return (int) Digits.parse(s, from, to); // at most 9 digits here
  }
}

package io.osapi.core.audit;

import io.osapi.core.internal.Json;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An {@link AuditRecord} as one JSON object in UTF-8: how the logs store records, the REST API
 * answers them and the export writes them (one per line). Field names are snake case: {@code id},
 * {@code time}, {@code subject}, {@code roles}, {@code source}, {@code method}, {@code route},
 * {@code ids}, {@code operation}, {@code target}, {@code status}, {@code duration_ms}, {@code
 * request_id}, {@code trace_id}, {@code data}; null fields are left out.
 *
 * <p>{@code time} is written in RFC 3339, UTC, to the millisecond ({@code
 * 2026-12-05T22:42:39.123Z}): a record read back has its time truncated to milliseconds. Strings
 * are written as they are (control characters escaped, so a record is always one line), except
 * that half of a UTF-16 surrogate pair, which is no Unicode character and has no UTF-8 form, is
 * written as U+FFFD.
 */
public final class AuditJson {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  /** Longest record {@link #read} accepts: 64 KiB. */
  public static final int MAX_BYTES = 64 * 1024;

  private AuditJson() {}

  /** The record as a JSON object, fields in the order above. */
  public static byte[] write(AuditRecord r) {
    // the very text of Json.write(fields(r)), written straight (two records per API request)
    StringBuilder b = new StringBuilder(320);
    b.append('{');
    field(b, "id", text(r.id()), true);
    field(b, "time", time(r.time()), false);
    field(b, "subject", text(r.subject()), false);
    b.append(",\"roles\":[");
    for (int i = 0; i < r.roles().size(); i++) {
      if (i > 0) {
        b.append(',');
      }
      Json.quote(b, text(r.roles().get(i)));
    }
    b.append(']');
    field(b, "source", text(r.source()), false);
    field(b, "method", text(r.method()), false);
    field(b, "route", text(r.route()), false);
    b.append(",\"ids\":{");
    Map<String, String> ids = r.ids();
    if (ids.size() > 1) { // in key order, as fields' TreeMap has them (one id needs no sort)
      Map<String, String> sorted = new TreeMap<>();
      ids.forEach((k, v) -> sorted.put(text(k), v));
      ids = sorted;
    }
    boolean first = true;
    for (Map.Entry<String, String> e : ids.entrySet()) {
      field(b, text(e.getKey()), text(e.getValue()), first);
      first = false;
    }
    b.append('}');
    if (r.operation() != null) {
      field(b, "operation", text(r.operation()), false);
    }
    if (r.target() != null) {
      field(b, "target", text(r.target()), false);
    }
    if (r.status() != null) {
      b.append(",\"status\":").append(r.status().intValue());
    }
    if (r.durationMs() != null) {
      b.append(",\"duration_ms\":").append(r.durationMs().longValue());
    }
    field(b, "request_id", text(r.requestId()), false);
    if (r.traceId() != null) {
      field(b, "trace_id", text(r.traceId()), false);
    }
    if (r.data() != null) {
      field(b, "data", text(r.data()), false);
    }
    return b.append('}').toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void field(StringBuilder b, String name, String value, boolean first) {
    if (!first) {
      b.append(',');
    }
    Json.quote(b, name);
    b.append(':');
    Json.quote(b, value);
  }

  /** The record as an ordered map of its JSON fields (nulls left out), to embed in other JSON. */
  public static Map<String, Object> fields(AuditRecord r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", text(r.id()));
    m.put("time", time(r.time()));
    m.put("subject", text(r.subject()));
    List<String> roles = new ArrayList<>();
    r.roles().forEach(x -> roles.add(text(x)));
    m.put("roles", roles);
    m.put("source", text(r.source()));
    m.put("method", text(r.method()));
    m.put("route", text(r.route()));
    Map<String, Object> ids = new TreeMap<>();
    r.ids().forEach((k, v) -> ids.put(text(k), text(v)));
    m.put("ids", ids);
    put(m, "operation", r.operation() == null ? null : text(r.operation()));
    put(m, "target", r.target() == null ? null : text(r.target()));
    put(m, "status", r.status());
    put(m, "duration_ms", r.durationMs());
    m.put("request_id", text(r.requestId()));
    put(m, "trace_id", r.traceId() == null ? null : text(r.traceId()));
    put(m, "data", r.data() == null ? null : text(r.data()));
    return m;
  }

  /** A time as this codec writes it: RFC 3339, UTC, milliseconds. */
  public static String time(Instant t) {
    java.time.LocalDateTime d =
        java.time.LocalDateTime.ofEpochSecond(t.getEpochSecond(), 0, ZoneOffset.UTC);
    if (d.getYear() < 0 || d.getYear() > 9999) {
      return TIME.format(t.truncatedTo(ChronoUnit.MILLIS));
    }
    // the same text as TIME, written by hand: the formatter's cost showed in every request's
    StringBuilder b = new StringBuilder(24);
    digits(b, d.getYear(), 4).append('-');
    digits(b, d.getMonthValue(), 2).append('-');
    digits(b, d.getDayOfMonth(), 2).append('T');
    digits(b, d.getHour(), 2).append(':');
    digits(b, d.getMinute(), 2).append(':');
    digits(b, d.getSecond(), 2).append('.');
    return digits(b, t.getNano() / 1_000_000, 3).append('Z').toString();
  }

  private static StringBuilder digits(StringBuilder b, int v, int width) {
    for (int p = width == 4 ? 1000 : width == 3 ? 100 : 10; p > 0; p /= 10) {
      b.append((char) ('0' + v / p % 10));
    }
    return b;
  }

  /**
   * Reads a record written by {@link #write} (unknown fields are ignored, so that newer writers
   * can add some).
   *
   * @throws IllegalArgumentException when {@code json} is not UTF-8 JSON of a valid record; the
   *     message says why
   */
  public static AuditRecord read(byte[] json) {
    if (json.length > MAX_BYTES) {
      throw new IllegalArgumentException("audit record of " + json.length + " bytes is over "
          + MAX_BYTES);
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(json))
          .toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("audit record is not UTF-8", e);
    }
    Map<String, Object> m = Json.parseObject(text);
    try {
      return new AuditRecord(
          string(m, "id", true),
          instant(string(m, "time", true)),
          string(m, "subject", true),
          strings(m.get("roles")),
          string(m, "source", true),
          string(m, "method", true),
          string(m, "route", true),
          ids(m.get("ids")),
          string(m, "operation", false),
          string(m, "target", false),
          status(m.get("status")),
          number(m.get("duration_ms"), "duration_ms"),
          string(m, "request_id", true),
          string(m, "trace_id", false),
          string(m, "data", false));
    } catch (NullPointerException e) {
      throw new IllegalArgumentException("audit record lacks " + e.getMessage(), e);
    }
  }

  private static void put(Map<String, Object> m, String k, Object v) {
    if (v != null) {
      m.put(k, v);
    }
  }

  /** {@code s} with each half of a surrogate pair written U+FFFD. */
  private static String text(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (Character.isSurrogate(s.charAt(i))) {
        return wholeCharacters(s);
      }
    }
    return s;
  }

  private static String wholeCharacters(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        sb.append(c).append(s.charAt(++i));
      } else {
        sb.append(Character.isSurrogate(c) ? '\uFFFD' : c);
      }
    }
    return sb.toString();
  }

  private static String string(Map<String, Object> m, String k, boolean required) {
    Object v = m.get(k);
    if (v == null) {
      if (required) {
        throw new IllegalArgumentException("audit record lacks " + k);
      }
      return null;
    }
    if (!(v instanceof String s)) {
      throw new IllegalArgumentException("audit record field " + k + " is not a string");
    }
    return s;
  }

  private static Instant instant(String s) {
    try {
      return OffsetDateTime.parse(s, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("audit record time '" + s + "' is not RFC 3339", e);
    }
  }

  private static List<String> strings(Object v) {
    if (v == null) {
      return List.of();
    }
    if (!(v instanceof List<?> l)) {
      throw new IllegalArgumentException("audit record field roles is not a list");
    }
    List<String> out = new ArrayList<>();
    for (Object o : l) {
      if (!(o instanceof String s)) {
        throw new IllegalArgumentException("audit record field roles holds a non-string");
      }
      out.add(s);
    }
    return out;
  }

  private static Map<String, String> ids(Object v) {
    if (v == null) {
      return Map.of();
    }
    if (!(v instanceof Map<?, ?> in)) {
      throw new IllegalArgumentException("audit record field ids is not an object");
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : in.entrySet()) {
      if (!(e.getValue() instanceof String s)) {
        throw new IllegalArgumentException("audit record field ids." + e.getKey()
            + " is not a string");
      }
      out.put((String) e.getKey(), s);
    }
    return out;
  }

  private static Integer status(Object v) {
    Long n = number(v, "status");
    if (n == null) {
      return null;
    }
    if (n < 100 || n > 999) {
      throw new IllegalArgumentException("audit record status " + n + " is not an HTTP status");
    }
    return n.intValue();
  }

  private static Long number(Object v, String k) {
    if (v == null) {
      return null;
    }
    if (v instanceof Long n) {
      return n;
    }
    if (v instanceof java.math.BigDecimal d) {
      try {
        return d.longValueExact();
      } catch (ArithmeticException e) {
        // not an integer, or out of range
      }
    }
    throw new IllegalArgumentException("audit record field " + k + " is not a 64-bit integer");
  }
}

package io.osapi.adapter.otel.logging;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.Objects;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * A {@link java.util.logging} formatter whose lines carry the trace id, span id and job id of
 * what the logging thread is handling: read from the OpenTelemetry {@link Context} current on that
 * thread (a request's server span, made current by the HTTP filter for the request; a run's span
 * and job id, made current by the worker for the run; scopes that close when the work ends, so
 * nothing leaks onto the next task of a pooled thread). A line written outside any such work has
 * none of them.
 *
 * <p>{@link Format#TEXT}: {@code 2026-12-06T01:02:03.456 INFO logger: message trace_id=...
 * span_id=... job_id=...}; {@link Format#JSON}: one JSON object per line with {@code time} (UTC,
 * ISO-8601), {@code level}, {@code logger}, {@code message}, {@code thrown} (when there is one) and
 * {@code trace_id}, {@code span_id}, {@code job_id} (when known), for log shippers.
 */
public final class CorrelatingFormatter extends Formatter {
  /** The context key of the job a thread is handling (set with the run's span). */
  public static final ContextKey<String> JOB_ID = ContextKey.named("osapi.job.id");

  /** How lines are written. */
  public enum Format {
    /** One human-readable line. */
    TEXT,
    /** One JSON object per line. */
    JSON
  }

  /** As the JDK's SimpleFormatter was set up before ({@code %1$tFT%1$tT.%1$tL}). */
  private static final java.time.format.DateTimeFormatter TIME =
      java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS")
          .withZone(java.time.ZoneId.systemDefault());

  private final Format format;

  /** A formatter writing {@code format}. */
  public CorrelatingFormatter(Format format) {
    this.format = Objects.requireNonNull(format, "format");
  }

  @Override
  public String format(LogRecord r) {
    Context c = Context.current();
    SpanContext span = Span.fromContext(c).getSpanContext();
    String traceId = span.isValid() ? span.getTraceId() : null;
    String spanId = span.isValid() ? span.getSpanId() : null;
    String jobId = c.get(JOB_ID);
    String message = formatMessage(r);
    String thrown = thrown(r);
    return format == Format.JSON
        ? json(r, message, thrown, traceId, spanId, jobId)
        : text(r, message, thrown, traceId, spanId, jobId);
  }

  private static String text(LogRecord r, String message, String thrown, String traceId,
      String spanId, String jobId) {
    StringBuilder b = new StringBuilder(128 + message.length());
    b.append(TIME.format(r.getInstant())).append(' ')
        .append(r.getLevel().getLocalizedName()).append(' ')
        .append(r.getLoggerName()).append(": ").append(message);
    if (traceId != null) {
      b.append(" trace_id=").append(traceId).append(" span_id=").append(spanId);
    }
    if (jobId != null) {
      b.append(" job_id=").append(jobId);
    }
    b.append(System.lineSeparator());
    if (thrown != null) {
      b.append(thrown);
    }
    return b.toString();
  }

  private static String json(LogRecord r, String message, String thrown, String traceId,
      String spanId, String jobId) {
    StringBuilder b = new StringBuilder(192 + message.length());
    b.append('{');
    field(b, "time", Instant.ofEpochMilli(r.getMillis()).toString());
    field(b.append(','), "level", r.getLevel().getName());
    field(b.append(','), "logger", r.getLoggerName());
    field(b.append(','), "message", message);
    if (thrown != null) {
      field(b.append(','), "thrown", thrown);
    }
    if (traceId != null) {
      field(b.append(','), "trace_id", traceId);
      field(b.append(','), "span_id", spanId);
    }
    if (jobId != null) {
      field(b.append(','), "job_id", jobId);
    }
    return b.append("}\n").toString();
  }

  /** Appends {@code "name":"value"}, the value escaped as JSON (RFC 8259). */
  private static void field(StringBuilder b, String name, String value) {
    b.append('"').append(name).append("\":\"");
    String v = value == null ? "" : value;
    for (int i = 0; i < v.length(); i++) {
      char ch = v.charAt(i);
      switch (ch) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (ch < 0x20 || ch == 0x2028 || ch == 0x2029) {
            b.append(String.format("\\u%04x", (int) ch));
          } else {
            b.append(ch);
          }
        }
      }
    }
    b.append('"');
  }

  private static String thrown(LogRecord r) {
    if (r.getThrown() == null) {
      return null;
    }
    StringWriter sw = new StringWriter();
    try (PrintWriter pw = new PrintWriter(sw)) {
      r.getThrown().printStackTrace(pw);
    }
    return sw.toString();
  }
}

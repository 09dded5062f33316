package io.osapi.core.domain;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A W3C trace context (<a href="https://www.w3.org/TR/trace-context/">Trace Context</a>): the
 * {@code traceparent} that names a trace and the span to continue it under, with the vendors'
 * {@code tracestate}. A job keeps the context of its {@code job.create} span; its notification
 * carries it (on NATS as the {@code traceparent} and {@code tracestate} headers), so each run of the
 * job is traced under the create.
 *
 * @param traceparent version 00: {@code 00-<32 hex trace id>-<16 hex span id>-<2 hex flags>}, lower
 *     case, neither id all zeros
 * @param tracestate the vendors' entries, at most {@value #MAX_TRACESTATE} printable ASCII
 *     characters; null for none
 */
public record TraceContext(String traceparent, String tracestate) {
  /** The longest tracestate kept (the W3C limit: 32 entries of at most 256 characters is more). */
  public static final int MAX_TRACESTATE = 512;

  private static final Pattern TRACEPARENT =
      Pattern.compile("00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");
  private static final Pattern TRACESTATE = Pattern.compile("[\\x20-\\x7e]*");
  private static final String ZERO_TRACE = "0".repeat(32);
  private static final String ZERO_SPAN = "0".repeat(16);

  /** Checks the format; an empty tracestate becomes null. */
  public TraceContext {
    Objects.requireNonNull(traceparent, "traceparent");
    if (!TRACEPARENT.matcher(traceparent).matches()
        || traceparent.substring(3, 35).equals(ZERO_TRACE)
        || traceparent.substring(36, 52).equals(ZERO_SPAN)) {
      throw new IllegalArgumentException("not a W3C traceparent (version 00): "
          + Names.abbreviate(traceparent, 64));
    }
    if (tracestate != null && tracestate.isEmpty()) {
      tracestate = null;
    }
    if (tracestate != null
        && (tracestate.length() > MAX_TRACESTATE || !TRACESTATE.matcher(tracestate).matches())) {
      throw new IllegalArgumentException("tracestate is longer than " + MAX_TRACESTATE
          + " characters or holds characters that are not printable ASCII");
    }
  }

  /** A context of {@code traceId}, {@code spanId} and sampling decision. */
  public static TraceContext of(String traceId, String spanId, boolean sampled, String tracestate) {
    return new TraceContext("00-" + traceId + "-" + spanId + (sampled ? "-01" : "-00"),
        tracestate);
  }

  /**
   * The context in incoming headers, or null when there is none or it is not valid (an invalid
   * {@code traceparent} is ignored, as the W3C specification asks: a new trace starts; an invalid
   * {@code tracestate} alone is dropped).
   */
  public static TraceContext parse(String traceparent, String tracestate) {
    if (traceparent == null) {
      return null;
    }
    String p = traceparent.strip();
    try {
      return new TraceContext(p, tracestate == null ? null : tracestate.strip());
    } catch (IllegalArgumentException e) {
      try {
        return new TraceContext(p, null);
      } catch (IllegalArgumentException e2) {
        return null;
      }
    }
  }

  /** The trace id: 32 lower-case hex digits. */
  public String traceId() {
    return traceparent.substring(3, 35);
  }

  /** The parent span's id: 16 lower-case hex digits. */
  public String spanId() {
    return traceparent.substring(36, 52);
  }

  /** Whether the caller sampled the trace (flag 01). */
  public boolean sampled() {
    return (Integer.parseInt(traceparent.substring(53, 55), 16) & 1) == 1;
  }
}

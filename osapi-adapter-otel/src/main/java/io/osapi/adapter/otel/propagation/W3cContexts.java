package io.osapi.adapter.otel.propagation;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.osapi.core.domain.TraceContext;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Converts between OpenTelemetry span contexts and the core's {@link TraceContext}, written and
 * read by the SDK's W3C propagator (so a tracestate is kept exactly as the propagator allows).
 */
public final class W3cContexts {
  private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();
  private static final TextMapGetter<TraceContext> GETTER = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(TraceContext c) {
      return List.of("traceparent", "tracestate");
    }

    @Override
    public String get(TraceContext c, String key) {
      if (c == null) {
        return null;
      }
      return "traceparent".equals(key) ? c.traceparent()
          : "tracestate".equals(key) ? c.tracestate() : null;
    }
  };

  private W3cContexts() {}

  /** The OTel context of a stored W3C context: a remote parent, or the root for none. */
  public static Context context(TraceContext parent) {
    return parent == null ? Context.root() : W3C.extract(Context.root(), parent, GETTER);
  }

  /** The W3C context of {@code span}, or null when it is not valid (tracing off). */
  public static TraceContext of(Span span) {
    if (!span.getSpanContext().isValid()) {
      return null;
    }
    Map<String, String> headers = new HashMap<>(4);
    W3C.inject(Context.root().with(span), headers, Map::put);
    return TraceContext.parse(headers.get("traceparent"), headers.get("tracestate"));
  }
}

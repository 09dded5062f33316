package io.osapi.adapter.otel;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.osapi.core.domain.TraceContext;
import io.osapi.core.port.JobSpan;
import java.util.concurrent.TimeUnit;

/**
 * The root span of a short-lived client process (the CLI's {@code job submit}): a client span on a
 * tracer provider of its own, which is shut down (its spans exported) when the span ends.
 */
public final class OtelClientSpans {
  private static final long FLUSH_SECONDS = 5;

  private OtelClientSpans() {}

  /** Starts a root client span {@code name} of service {@code serviceName}, exported as configured. */
  public static JobSpan start(OtelTracingConfig config, String serviceName, String name) {
    SdkTracerProvider provider = OtelTracerProviders.create(config, Resource.getDefault().merge(
        Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), serviceName))));
    Span span = provider.get(OtelJobTracing.INSTRUMENTATION_NAME).spanBuilder(name)
        .setParent(Context.root()).setSpanKind(SpanKind.CLIENT).startSpan();
    TraceContext context = OtelJobTracing.traceContext(span);
    return new JobSpan() {
      private boolean ended;

      @Override
      public TraceContext context() {
        return context;
      }

      @Override
      public void event(String event) {
        span.addEvent(event);
      }

      @Override
      public void failed(String message) {
        span.setStatus(StatusCode.ERROR, message == null ? "" : message);
      }

      @Override
      public synchronized void end() {
        if (ended) {
          return;
        }
        ended = true;
        span.end();
        provider.shutdown().join(FLUSH_SECONDS, TimeUnit.SECONDS);
      }

      @Override
      public Scope activate() {
        io.opentelemetry.context.Scope s = span.makeCurrent();
        return s::close;
      }
    };
  }
}

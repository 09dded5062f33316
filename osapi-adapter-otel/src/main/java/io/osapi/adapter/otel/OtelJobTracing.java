package io.osapi.adapter.otel;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.TracerProvider;
import io.opentelemetry.context.Context;
import io.osapi.adapter.otel.logging.CorrelatingFormatter;
import io.osapi.adapter.otel.propagation.W3cContexts;
import io.osapi.core.domain.Job;
import io.osapi.core.domain.TraceContext;
import io.osapi.core.port.JobSpan;
import io.osapi.core.port.JobTracing;

/**
 * {@link JobTracing} on an OpenTelemetry tracer: {@code job.create} is a producer span, each run's
 * {@code job.process} a consumer span, both with the messaging semantic conventions ({@code
 * messaging.system=nats}, the destination subject, the delivery count) and osapi's own attributes
 * ({@code osapi.job.id}, {@code osapi.operation}, {@code osapi.worker.id}, {@code osapi.job.attempt}).
 * The contexts passed on are W3C trace contexts, written and read by the SDK's propagator.
 *
 * <p>On a no-op tracer provider (tracing off) the spans are invalid and pass no context on, but a
 * run's {@link JobSpan#activate()} still makes its job id current, for the log lines of {@link
 * CorrelatingFormatter}.
 */
public final class OtelJobTracing implements JobTracing {
  /** The instrumentation scope name of the spans. */
  public static final String INSTRUMENTATION_NAME = "io.osapi.job";

  static final AttributeKey<String> MESSAGING_SYSTEM = AttributeKey.stringKey("messaging.system");
  static final AttributeKey<String> MESSAGING_OPERATION =
      AttributeKey.stringKey("messaging.operation.type");
  static final AttributeKey<String> MESSAGING_DESTINATION =
      AttributeKey.stringKey("messaging.destination.name");
  static final AttributeKey<String> MESSAGING_MESSAGE_ID =
      AttributeKey.stringKey("messaging.message.id");
  static final AttributeKey<Long> DELIVERY_COUNT =
      AttributeKey.longKey("messaging.nats.message.delivery_count");
  static final AttributeKey<String> JOB_ID = AttributeKey.stringKey("osapi.job.id");
  static final AttributeKey<String> OPERATION = AttributeKey.stringKey("osapi.operation");
  static final AttributeKey<String> TARGET = AttributeKey.stringKey("osapi.job.target");
  static final AttributeKey<String> WORKER_ID = AttributeKey.stringKey("osapi.worker.id");
  static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("osapi.job.attempt");

  private final Tracer tracer;

  /** Spans on {@code provider}'s tracer for {@value #INSTRUMENTATION_NAME}. */
  public OtelJobTracing(TracerProvider provider) {
    this.tracer = provider.get(INSTRUMENTATION_NAME);
  }

  @Override
  public JobSpan jobCreate(Job job, TraceContext parent) {
    SpanBuilder b = tracer.spanBuilder("job.create")
        .setParent(context(parent))
        .setSpanKind(SpanKind.PRODUCER)
        .setAttribute(MESSAGING_SYSTEM, "nats")
        .setAttribute(MESSAGING_OPERATION, "send")
        .setAttribute(MESSAGING_MESSAGE_ID, job.id().value())
        .setAttribute(JOB_ID, job.id().value())
        .setAttribute(OPERATION, job.operation().type())
        .setAttribute(TARGET, job.target().text());
    return new OtelJobSpan(b.startSpan(), job.id().value());
  }

  @Override
  public JobSpan jobProcess(Job job, TraceContext parent, ProcessRun run) {
    SpanBuilder b = tracer.spanBuilder("job.process")
        .setParent(context(parent))
        .setSpanKind(SpanKind.CONSUMER)
        .setAttribute(MESSAGING_SYSTEM, "nats")
        .setAttribute(MESSAGING_OPERATION, "process")
        .setAttribute(MESSAGING_MESSAGE_ID, job.id().value())
        .setAttribute(DELIVERY_COUNT, (long) run.deliveryCount())
        .setAttribute(JOB_ID, job.id().value())
        .setAttribute(OPERATION, job.operation().type())
        .setAttribute(WORKER_ID, run.workerId())
        .setAttribute(ATTEMPT, (long) run.deliveryCount());
    if (run.destination() != null) {
      b.setAttribute(MESSAGING_DESTINATION, run.destination());
    }
    return new OtelJobSpan(b.startSpan(), job.id().value());
  }

  private static Context context(TraceContext parent) {
    return W3cContexts.context(parent);
  }

  /** The W3C context of {@code span}, or null when it is not valid (tracing off). */
  static TraceContext traceContext(Span span) {
    return W3cContexts.of(span);
  }

  /** A span of this tracer. */
  private static final class OtelJobSpan implements JobSpan {
    private final Span span;
    private final String jobId;
    private volatile TraceContext context;

    OtelJobSpan(Span span, String jobId) {
      this.span = span;
      this.jobId = jobId;
    }

    @Override
    public TraceContext context() {
      TraceContext c = context;
      if (c == null) {
        c = traceContext(span);
        context = c;
      }
      return c;
    }

    @Override
    public void event(String name) {
      span.addEvent(name);
    }

    @Override
    public void failed(String message) {
      span.setStatus(StatusCode.ERROR, message == null ? "" : message);
    }

    @Override
    public void end() {
      span.end();
    }

    @Override
    public Scope activate() {
      // the span for exemplars and log lines, the job id for log lines (CorrelatingFormatter)
      io.opentelemetry.context.Scope s = Context.current().with(span)
          .with(CorrelatingFormatter.JOB_ID, jobId).makeCurrent();
      return s::close;
    }
  }
}

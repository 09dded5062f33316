package io.osapi.adapter.otel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.trace.v1.Span;
import io.osapi.adapter.otel.OtlpTraceReceiver.ReceivedSpan;
import io.osapi.core.domain.Job;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobOutcome;
import io.osapi.core.domain.Operation;
import io.osapi.core.domain.OperationKind;
import io.osapi.core.domain.Target;
import io.osapi.core.domain.TraceContext;
import io.osapi.core.port.JobSpan;
import io.osapi.core.port.JobTracing;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Tracing on the SDK, exported over OTLP/HTTP to a real receiver in the test: the server span of a
 * request under its incoming {@code traceparent}, the job's create and process spans under it, and
 * exemplars of the sampled spans in the OpenMetrics exposition.
 */
@Timeout(60)
class OtelTracingTest {
  private static final String INCOMING_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String INCOMING_SPAN = "00f067aa0ba902b7";
  private static final Duration T = Duration.ofSeconds(20);

  private static OtelMetricsBackend backend(OtlpTraceReceiver r, double ratio) {
    OtelTracingConfig t = OtelTracingConfig.builder().endpoint(r.endpoint()).sampleRatio(ratio)
        .build().orElseThrow();
    return new OtelMetricsBackend(OtelMetricsConfig.builder().serviceName("osapi-test")
        .runtimeMetricsEnabled(false).build(), Optional.of(t));
  }

  @Test
  void aRequestIsAServerSpanUnderItsTraceparentAndTheJobsSpansFollow() throws Exception {
    try (OtlpTraceReceiver r = OtlpTraceReceiver.start()) {
      List<TraceContext> handed = new CopyOnWriteArrayList<>();
      Job job = new Job(JobId.parse("01a2490c-b468-73bd-9633-aeeb3758ed4b"),
          new Operation("diag.echo", "{}"), OperationKind.QUERY, Target.Any.INSTANCE,
          Instant.now());
      HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      try (OtelMetricsBackend backend = backend(r, 1.0)) {
        JobTracing tracing = backend.jobTracing();
        server.createContext("/api/v1/jobs", (HttpExchange ex) -> {
          JobSpan create = tracing.jobCreate(job, handed.get(0));
          create.end();
          JobSpan run = tracing.jobProcess(job, create.context(),
              new JobTracing.ProcessRun("w1", 2, "jobs.query._any"));
          try (JobSpan.Scope s = run.activate()) {
            backend.jobMetrics(Set.of("diag.echo"))
                .jobFinished("diag.echo", "w1", JobOutcome.COMPLETED, Duration.ofMillis(40));
          }
          run.event("run.end_written");
          run.end();
          ex.sendResponseHeaders(201, -1);
          ex.close();
        }).getFilters().add(backend.httpServerFilter(p -> "/api/v1/jobs",
            (ex, c) -> {
              handed.add(c);
              return ex;
            }));
        server.start();
        HttpResponse<Void> resp = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/api/v1/jobs"))
            .header("traceparent", "00-" + INCOMING_TRACE + "-" + INCOMING_SPAN + "-01")
            .header("tracestate", "vendor=opaque")
            .POST(HttpRequest.BodyPublishers.noBody()).build(),
            HttpResponse.BodyHandlers.discarding());
        assertThat(resp.statusCode()).isEqualTo(201);

        // exemplars of the sampled run (trace and span id) in the OpenMetrics exposition
        String om = backend.scrape("application/openmetrics-text; version=1.0.0").bodyText();
        assertThat(om).containsPattern("osapi_job_duration_seconds_bucket\\{[^}]*\\} 1 # \\{"
            + "span_id=\"[0-9a-f]{16}\",trace_id=\"" + INCOMING_TRACE + "\"\\}");
        assertThat(om).containsPattern("http_server_request_duration_seconds_bucket\\{[^}]*\\} 1"
            + " # \\{span_id=\"[0-9a-f]{16}\",trace_id=\"" + INCOMING_TRACE + "\"\\}");
      } finally {
        server.stop(0);
      }
      // closing the backend flushed the spans
      await().atMost(T).until(() -> r.spans().size() >= 3);
      ReceivedSpan http = r.spans().stream().filter(s -> s.kind() == Span.SpanKind.SPAN_KIND_SERVER)
          .findFirst().orElseThrow();
      assertThat(http.name()).isEqualTo("POST /api/v1/jobs");
      assertThat(http.traceId()).isEqualTo(INCOMING_TRACE);
      assertThat(http.parentSpanId()).isEqualTo(INCOMING_SPAN);
      assertThat(http.attributes()).containsEntry("http.request.method", "POST")
          .containsEntry("http.route", "/api/v1/jobs")
          .containsEntry("http.response.status_code", "201");
      assertThat(handed).hasSize(1);
      assertThat(handed.get(0).spanId()).isEqualTo(http.spanId());
      assertThat(handed.get(0).tracestate()).isEqualTo("vendor=opaque");

      ReceivedSpan create = r.spans("job.create").get(0);
      assertThat(create.kind()).isEqualTo(Span.SpanKind.SPAN_KIND_PRODUCER);
      assertThat(create.parentSpanId()).isEqualTo(http.spanId());
      assertThat(create.traceId()).isEqualTo(INCOMING_TRACE);
      assertThat(create.service()).isEqualTo("osapi-test");
      assertThat(create.attributes()).containsEntry("messaging.system", "nats")
          .containsEntry("osapi.job.id", "01a2490c-b468-73bd-9633-aeeb3758ed4b")
          .containsEntry("osapi.operation", "diag.echo");

      ReceivedSpan run = r.spans("job.process").get(0);
      assertThat(run.kind()).isEqualTo(Span.SpanKind.SPAN_KIND_CONSUMER);
      assertThat(run.parentSpanId()).isEqualTo(create.spanId());
      assertThat(run.traceId()).isEqualTo(INCOMING_TRACE);
      assertThat(run.attributes()).containsEntry("messaging.system", "nats")
          .containsEntry("messaging.operation.type", "process")
          .containsEntry("messaging.destination.name", "jobs.query._any")
          .containsEntry("messaging.nats.message.delivery_count", "2")
          .containsEntry("osapi.worker.id", "w1")
          .containsEntry("osapi.job.attempt", "2");
      assertThat(run.events()).containsExactly("run.end_written");
      assertThat(r.contentTypes()).allMatch(c -> c.equals("application/x-protobuf"));
    }
  }

  @Test
  void aRatioOfZeroKeepsNewTracesOutButFollowsASampledCaller() throws Exception {
    try (OtlpTraceReceiver r = OtlpTraceReceiver.start()) {
      Job job = new Job(JobId.parse("01a2490c-b468-73bd-9633-aeeb3758ed4b"),
          new Operation("diag.echo", "{}"), OperationKind.QUERY, Target.Any.INSTANCE,
          Instant.now());
      TraceContext caller = TraceContext.of(INCOMING_TRACE, INCOMING_SPAN, true, null);
      try (OtelMetricsBackend backend = backend(r, 0.0)) {
        JobSpan unsampled = backend.jobTracing().jobCreate(job, null);
        // not sampled, but its context still goes with the job so the runs follow the decision
        assertThat(unsampled.context()).isNotNull();
        assertThat(unsampled.context().sampled()).isFalse();
        unsampled.end();
        JobSpan run = backend.jobTracing().jobProcess(job, unsampled.context(),
            new JobTracing.ProcessRun("w1", 1, null));
        assertThat(run.context().sampled()).isFalse();
        run.end();
        JobSpan followed = backend.jobTracing().jobCreate(job, caller);
        assertThat(followed.context().sampled()).isTrue();
        followed.end();
      }
      await().atMost(T).until(() -> !r.spans().isEmpty());
      assertThat(r.spans()).extracting(ReceivedSpan::traceId).containsExactly(INCOMING_TRACE);
    }
  }

  @Test
  void withoutATracingConfigurationNothingIsTracedOrExemplified() {
    try (OtelMetricsBackend backend = new OtelMetricsBackend(OtelMetricsConfig.builder()
        .runtimeMetricsEnabled(false).build())) {
      assertThat(backend.tracing()).isFalse();
      Job job = new Job(JobId.parse("01a2490c-b468-73bd-9633-aeeb3758ed4b"),
          new Operation("diag.echo", "{}"), OperationKind.QUERY, Target.Any.INSTANCE,
          Instant.now());
      JobSpan create = backend.jobTracing().jobCreate(job, null);
      assertThat(create.context()).as("no context stored with the job").isNull();
      create.end();
      // a run of a job traced elsewhere stays in its trace (the API's no-op span carries the
      // parent's context: what this worker's log lines name), recording nothing
      TraceContext parent = TraceContext.of(INCOMING_TRACE, INCOMING_SPAN, true, null);
      assertThat(backend.jobTracing().jobProcess(job, parent,
          new JobTracing.ProcessRun("w1", 1, null)).context()).isEqualTo(parent);
      assertThat(backend.openTelemetry().getTracerProvider().get("x").spanBuilder("s")
          .startSpan().getSpanContext().isValid()).isFalse();
    }
  }

  @Test
  void theStandardVariablesConfigureTheExport() {
    Optional<OtelTracingConfig> none = OtelTracingConfig.fromEnvironment(Map.of()).build();
    assertThat(none).isEmpty();
    OtelTracingConfig http = OtelTracingConfig.fromEnvironment(Map.of(
        "OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/",
        "OTEL_EXPORTER_OTLP_HEADERS", "api-key=s%3Dcret,x=1",
        "OTEL_TRACES_SAMPLER", "parentbased_traceidratio",
        "OTEL_TRACES_SAMPLER_ARG", "0.25")).build().orElseThrow();
    assertThat(http.endpoint()).isEqualTo(URI.create("http://collector:4318/v1/traces"));
    assertThat(http.protocol()).isEqualTo(OtelTracingConfig.Protocol.HTTP_PROTOBUF);
    assertThat(http.headers()).containsEntry("api-key", "s=cret");
    assertThat(http.toString()).doesNotContain("s=cret").doesNotContain("s%3Dcret");
    assertThat(http.sampleRatio()).isEqualTo(0.25);
    assertThat(http.parentBased()).isTrue();
    OtelTracingConfig grpc = OtelTracingConfig.fromEnvironment(Map.of(
        "OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317",
        "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "grpc",
        "OTEL_EXPORTER_OTLP_TIMEOUT", "2500",
        "OTEL_TRACES_SAMPLER", "always_on")).build().orElseThrow();
    assertThat(grpc.endpoint()).isEqualTo(URI.create("http://collector:4317"));
    assertThat(grpc.protocol()).isEqualTo(OtelTracingConfig.Protocol.GRPC);
    assertThat(grpc.timeout()).isEqualTo(Duration.ofMillis(2500));
    assertThat(grpc.parentBased()).isFalse();
    // the signal's own endpoint is used as given, and wins
    assertThat(OtelTracingConfig.fromEnvironment(Map.of(
        "OTEL_EXPORTER_OTLP_ENDPOINT", "http://a:4318",
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://b:4318/custom")).build().orElseThrow()
        .endpoint()).isEqualTo(URI.create("http://b:4318/custom"));
    // turned off, and off without an endpoint
    assertThat(OtelTracingConfig.fromEnvironment(Map.of(
        "OTEL_EXPORTER_OTLP_ENDPOINT", "http://a:4318", "OTEL_TRACES_EXPORTER", "none"))
        .build()).isEmpty();
    assertThat(OtelTracingConfig.fromEnvironment(Map.of("OTEL_TRACES_SAMPLER_ARG", "0.5"))
        .build()).isEmpty();
  }

  @Test
  void badVariablesAreRefusedNamingTheVariableNeverTheSecret() {
    assertRefused(Map.of("OTEL_TRACES_SAMPLER_ARG", "1.5"), "OTEL_TRACES_SAMPLER_ARG");
    assertRefused(Map.of("OTEL_TRACES_SAMPLER", "jaeger_remote"), "OTEL_TRACES_SAMPLER");
    assertRefused(Map.of("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"), "http/json");
    assertRefused(Map.of("OTEL_EXPORTER_OTLP_TIMEOUT", "10s"), "OTEL_EXPORTER_OTLP_TIMEOUT");
    assertRefused(Map.of("OTEL_EXPORTER_OTLP_HEADERS", "topsecretvalue"),
        "OTEL_EXPORTER_OTLP_HEADERS");
    try {
      OtelTracingConfig.fromEnvironment(Map.of("OTEL_EXPORTER_OTLP_HEADERS", "topsecretvalue"));
    } catch (IllegalArgumentException e) {
      assertThat(e.getMessage()).doesNotContain("topsecretvalue");
    }
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> OtelTracingConfig.fromEnvironment(
        Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "ftp://x")).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("http");
  }

  private static void assertRefused(Map<String, String> env, String named) {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> OtelTracingConfig.fromEnvironment(env).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(named);
  }
}

package io.osapi.app.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import io.osapi.adapter.otel.OtelMetricsBackend;
import io.osapi.adapter.otel.OtelMetricsConfig;
import io.osapi.adapter.otel.OtelTracingConfig;
import io.osapi.adapter.otel.OtlpTraceReceiver;
import io.osapi.core.audit.InMemoryAuditLog;
import io.osapi.core.operations.BuiltinOperations;
import io.osapi.core.testing.RecordingJobTracing;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The server span of a request reaches its own job as the job's parent, through the real tracing
 * filter of the OTel adapter and the edge, while another request is in flight on the same
 * context: the span travels with the request's exchange, not in the exchange's attributes (before
 * JDK 26, one map per {@code HttpContext} that every request shares).
 */
@Timeout(60)
class ApiTracesComponentTest {
  private static final String FIRST_TRACE = "11111111111111111111111111111111";
  private static final String SECOND_TRACE = "22222222222222222222222222222222";
  private static final Pattern JOB_ID = Pattern.compile("\"job_id\":\"([0-9a-f-]{36})\"");

  @Test
  void twoRequestsInFlightEachGiveTheirJobTheirOwnServerSpan() throws Exception {
    CountDownLatch secondTraced = new CountDownLatch(1);
    // after the tracing filter: the first request goes on only once the second one has been
    // traced (its span handed over), so both are in flight on the context at once
    Filter order = new Filter() {
      @Override
      public void doFilter(HttpExchange ex, Chain chain) throws IOException {
        String which = ex.getRequestHeaders().getFirst("X-Test-Request");
        try {
          if ("first".equals(which)
              && !secondTraced.await(20, TimeUnit.SECONDS)) {
            throw new IOException("the second request never came");
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException(e);
        }
        if ("second".equals(which)) {
          secondTraced.countDown();
        }
        chain.doFilter(ex);
      }

      @Override
      public String description() {
        return "orders two requests (test)";
      }
    };
    RecordingJobTracing tracing = new RecordingJobTracing();
    try (OtlpTraceReceiver receiver = OtlpTraceReceiver.start();
        OtelMetricsBackend backend = new OtelMetricsBackend(OtelMetricsConfig.builder()
            .serviceName("osapi-test").runtimeMetricsEnabled(false).build(),
            Optional.of(OtelTracingConfig.builder().endpoint(receiver.endpoint())
                .sampleRatio(1.0).build().orElseThrow()));
        EdgeHarness h = new EdgeHarness(AuditEdgeComponentTest.THREE, new InMemoryAuditLog(),
            false, BuiltinOperations.registry(),
            // as the wiring (OtelModule.apiFilters), and the ordering after it
            List.of(backend.httpServerFilter(ApiRoute::templateOf, ApiTraces::attach), order),
            tracing)) {
      HttpClient http = HttpClient.newHttpClient();
      CompletableFuture<HttpResponse<String>> first =
          http.sendAsync(post(h, FIRST_TRACE, "first"), HttpResponse.BodyHandlers.ofString());
      // the first is held after its tracing until the second passed its own
      HttpResponse<String> second =
          http.send(post(h, SECOND_TRACE, "second"), HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> firstAnswer = first.get(30, TimeUnit.SECONDS);
      assertThat(firstAnswer.statusCode()).as(firstAnswer.body()).isEqualTo(201);
      assertThat(second.statusCode()).as(second.body()).isEqualTo(201);

      Map<String, String> traceOfJob = Map.of(jobId(firstAnswer), FIRST_TRACE,
          jobId(second), SECOND_TRACE);
      List<RecordingJobTracing.Span> creates = tracing.spans("job.create");
      assertThat(creates).hasSize(2);
      for (RecordingJobTracing.Span s : creates) {
        assertThat(s.parent()).as("the parent of job %s", s.jobId()).isNotNull();
        assertThat(s.parent().traceId()).as("the trace of job %s", s.jobId())
            .isEqualTo(traceOfJob.get(s.jobId()));
      }
    }
  }

  private static HttpRequest post(EdgeHarness h, String trace, String which) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
            + h.server.boundAddress().getPort() + "/api/v1/jobs"))
        .timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer w")
        .header("Content-Type", "application/json")
        .header("traceparent", "00-" + trace + "-00f067aa0ba902b7-01")
        .header("X-Test-Request", which)
        .POST(HttpRequest.BodyPublishers.ofString(
            "{\"operation\":{\"type\":\"diag.echo\",\"data\":{}}}"))
        .build();
  }

  private static String jobId(HttpResponse<String> r) {
    Matcher m = JOB_ID.matcher(r.body());
    assertThat(m.find()).as(r.body()).isTrue();
    return m.group(1);
  }
}

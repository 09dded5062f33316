package io.osapi.adapter.otel.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpServer;
import io.osapi.adapter.otel.OtelMetricsBackend;
import io.osapi.adapter.otel.OtelMetricsConfig;
import io.osapi.adapter.otel.Promtool;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link HttpServerMetricsFilter} on a real JDK server: requests through {@link HttpClient}, then
 * the literal exposition of {@link OtelMetricsBackend}.
 */
@Timeout(30)
class HttpServerMetricsFilterTest {

  private final HttpClient client = HttpClient.newHttpClient();
  private OtelMetricsBackend backend;
  private HttpServer api;
  private final CountDownLatch slowEntered = new CountDownLatch(1);
  private final CountDownLatch slowRelease = new CountDownLatch(1);

  @BeforeAll
  static void tcpNoDelayFirst() {
    // the JDK reads sun.net.httpserver.nodelay when its first server is created (the app's
    // MetricsHttpServer sets it the same way)
    System.setProperty("sun.net.httpserver.nodelay", "true");
  }

  @BeforeEach
  void start() throws IOException {
    backend =
        new OtelMetricsBackend(OtelMetricsConfig.builder().runtimeMetricsEnabled(false).build());
    backend.jobMetrics(Set.of("node.hostname.get"));
    backend.healthMetrics().componentUp(true);
    com.sun.net.httpserver.Filter filter =
        backend.httpServerFilter(
            RouteTemplates.of("/api/v1/jobs", "/api/v1/jobs/{id}", "/api/v1/slow"));
    api = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    api.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
    HttpContext context =
        api.createContext(
            "/",
            exchange -> {
              String path = exchange.getRequestURI().getPath();
              if (path.equals("/api/v1/boom")) {
                throw new IllegalStateException("handler failed");
              }
              if (path.equals("/api/v1/slow")) {
                slowEntered.countDown();
                try {
                  slowRelease.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
              int status = path.startsWith("/api/v1/jobs") || path.equals("/api/v1/slow") ? 200 : 404;
              byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
              exchange.sendResponseHeaders(status, body.length);
              try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
              }
            });
    context.getFilters().add(filter);
    api.start();
  }

  @AfterEach
  void stop() {
    api.stop(0);
    ((java.util.concurrent.ExecutorService) api.getExecutor()).shutdownNow();
    backend.close();
  }

  private int call(String method, String path) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.getAddress().getPort() + path))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .timeout(Duration.ofSeconds(10))
            .build();
    return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private static long countedRequests(String text) {
    return lines(text, "http_server_request_duration_seconds_count{").stream()
        .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }

  @Test
  void recordsTheSemconvServerMetricsWithBoundedRoutes() throws Exception {
    assertThat(call("GET", "/api/v1/jobs/0b5c9a61-aaaa")).isEqualTo(200);
    assertThat(call("GET", "/api/v1/jobs/7d0e2c11-bbbb")).isEqualTo(200);
    assertThat(call("POST", "/api/v1/jobs")).isEqualTo(200);
    assertThat(call("GET", "/no/such/path/123")).isEqualTo(404);
    assertThat(call("GET", "/another/unknown")).isEqualTo(404);

    // the filter records after the response went out: wait until all five requests are counted
    String text = Awaitility.await().atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(10))
        .until(() -> backend.scrape(null).bodyText(), t -> countedRequests(t) >= 5);

    assertThat(text)
        .contains("# TYPE http_server_request_duration_seconds histogram\n")
        .contains("# TYPE http_server_active_requests gauge\n");
    assertThat(helpOf(text, "http_server_request_duration_seconds")).isNotBlank();
    assertThat(helpOf(text, "http_server_active_requests")).isNotBlank();

    List<String> counts = lines(text, "http_server_request_duration_seconds_count{");
    assertThat(counts)
        .anyMatch(
            l ->
                l.contains("http_route=\"/api/v1/jobs/{id}\"")
                    && l.contains("http_request_method=\"GET\"")
                    && l.contains("http_response_status_code=\"200\"")
                    && l.endsWith(" 2"))
        .anyMatch(
            l ->
                l.contains("http_route=\"/api/v1/jobs\"")
                    && l.contains("http_request_method=\"POST\"")
                    && l.endsWith(" 1"))
        .anyMatch(
            l ->
                l.contains("http_route=\"" + HttpServerMetricsFilter.UNMATCHED_ROUTE + "\"")
                    && l.contains("http_response_status_code=\"404\"")
                    && l.endsWith(" 2"));
    assertThat(labelValues(text, "http_server_request_duration_seconds_count", "http_route"))
        .containsExactlyInAnyOrder("/api/v1/jobs/{id}", "/api/v1/jobs", "unmatched");
    assertThat(text).doesNotContain("0b5c9a61").doesNotContain("/no/such/path");
    // bucket bounds are in seconds (the library's advice), not milliseconds
    assertThat(text).contains("http_server_request_duration_seconds_bucket{").contains("le=\"0.005\"");
    assertThat(labelValues(text, "http_server_active_requests", "http_route"))
        .containsExactlyInAnyOrder("/api/v1/jobs/{id}", "/api/v1/jobs", "unmatched");
    assertThat(lines(text, "http_server_active_requests{")).allMatch(l -> l.endsWith(" 0.0"));

    Promtool.Result check = Promtool.checkMetrics(text);
    assertThat(check.exitCode()).as("promtool said:%n%s", check.output()).isZero();
  }

  @Test
  void activeRequestsCountsInFlightRequests() throws Exception {
    Thread caller =
        new Thread(
            () -> {
              try {
                call("GET", "/api/v1/slow");
              } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    caller.start();
    assertThat(slowEntered.await(5, TimeUnit.SECONDS)).isTrue();
    String during = backend.scrape(null).bodyText();
    assertThat(lines(during, "http_server_active_requests{"))
        .anyMatch(l -> l.contains("http_route=\"/api/v1/slow\"") && l.endsWith(" 1.0"));
    slowRelease.countDown();
    caller.join(10_000);
    // the filter ends the request after the response went out: poll briefly for the decrement
    String after = Awaitility.await().atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(10))
        .until(() -> backend.scrape(null).bodyText(), t -> lines(t, "http_server_active_requests{")
            .stream().anyMatch(l -> l.contains("http_route=\"/api/v1/slow\"") && l.endsWith(" 0.0")));
    assertThat(lines(after, "http_server_active_requests{"))
        .anyMatch(l -> l.contains("http_route=\"/api/v1/slow\"") && l.endsWith(" 0.0"));
  }

  @Test
  void aThrowingHandlerIsStillRecorded() throws Exception {
    try {
      call("GET", "/api/v1/boom");
    } catch (IOException expected) {
      // the JDK server closes the connection when a handler throws
    }
    String text = backend.scrape(null).bodyText();
    assertThat(lines(text, "http_server_request_duration_seconds_count{"))
        .anyMatch(
            l ->
                l.contains("error_type=\"java.lang.IllegalStateException\"")
                    && l.contains("http_route=\"unmatched\""));
  }

  @Test
  void canaryInstrumenterShouldStartIsBrokenOnThisApiVersion() {
    // Why the filter does not call Instrumenter.shouldStart: instrumentation-api 2.20.1 needs
    // io.opentelemetry.api.internal.InstrumentationUtil, gone from opentelemetry-api 1.65.0.
    // When this starts failing, the versions agree again and the filter may call shouldStart.
    io.opentelemetry.instrumentation.api.instrumenter.Instrumenter<String, String> instrumenter =
        io.opentelemetry.instrumentation.api.instrumenter.Instrumenter.<String, String>builder(
                backend.openTelemetry(), "canary", request -> "canary")
            .buildInstrumenter();
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> instrumenter.shouldStart(io.opentelemetry.context.Context.root(), "request"))
        .isInstanceOf(NoClassDefFoundError.class)
        .hasMessageContaining("io/opentelemetry/api/internal/InstrumentationUtil");
  }

  private static String helpOf(String text, String family) {
    Matcher m = Pattern.compile("(?m)^# HELP " + Pattern.quote(family) + " (.*)$").matcher(text);
    return m.find() ? m.group(1) : null;
  }

  private static List<String> lines(String text, String prefix) {
    return text.lines().filter(l -> l.startsWith(prefix)).toList();
  }

  private static Set<String> labelValues(String text, String sampleName, String label) {
    Pattern p = Pattern.compile(Pattern.quote(label) + "=\"([^\"]*)\"");
    java.util.TreeSet<String> values = new java.util.TreeSet<>();
    for (String l : lines(text, sampleName + "{")) {
      Matcher m = p.matcher(l);
      if (m.find()) {
        values.add(m.group(1));
      }
    }
    return values;
  }
}

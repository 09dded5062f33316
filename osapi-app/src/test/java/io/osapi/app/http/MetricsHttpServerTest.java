package io.osapi.app.http;

import static org.assertj.core.api.Assertions.assertThat;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.osapi.adapter.otel.Promtool;
import io.osapi.adapter.otel.OtelJobMetrics;
import io.osapi.adapter.otel.OtelMetricsBackend;
import io.osapi.adapter.otel.OtelMetricsConfig;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.GZIPInputStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link MetricsHttpServer} on a real port, driven with {@link java.net.http.HttpClient}. */
@Timeout(30)
class MetricsHttpServerTest {

  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  private PrometheusRegistry backend() {
    OtelMetricsBackend backend =
        new OtelMetricsBackend(OtelMetricsConfig.builder().runtimeMetricsEnabled(false).build());
    toClose.add(backend);
    OtelJobMetrics metrics = backend.jobMetrics(Set.of("node.hostname.get"));
    metrics.jobCreated("node.hostname.get");
    backend.healthMetrics().componentUp(true);
    return backend.prometheusRegistry();
  }

  private static PrometheusRegistry registryOf(MultiCollector collector) {
    PrometheusRegistry registry = new PrometheusRegistry();
    registry.register(collector);
    return registry;
  }

  private MetricsHttpServer start(PrometheusRegistry registry) throws IOException {
    return start(MetricsHttpServer.builder(registry).port(0));
  }

  private MetricsHttpServer start(MetricsHttpServer.Builder builder) throws IOException {
    MetricsHttpServer server = builder.start();
    toClose.add(server);
    return server;
  }

  private HttpResponse<byte[]> send(MetricsHttpServer server, HttpRequest.Builder request)
      throws IOException, InterruptedException {
    return client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static HttpRequest.Builder get(MetricsHttpServer server, String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .timeout(Duration.ofSeconds(10));
  }

  private static String text(HttpResponse<byte[]> r) {
    return new String(r.body(), StandardCharsets.UTF_8);
  }

  @Test
  void servesThePrometheusTextOfTheBackend() throws Exception {
    MetricsHttpServer server = start(backend());
    assertThat(server.address().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
    HttpResponse<byte[]> r = send(server, get(server, "/metrics"));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type"))
        .hasValue("text/plain; version=0.0.4; charset=utf-8");
    String body = text(r);
    assertThat(body)
        .contains("# TYPE osapi_jobs_created_total counter\n")
        .contains("osapi_jobs_created_total{operation=\"node.hostname.get\"} 1.0\n");
    Promtool.Result check = Promtool.checkMetrics(body);
    assertThat(check.exitCode()).as("promtool said:%n%s", check.output()).isZero();
  }

  @Test
  void servesOpenMetricsWhenAsked() throws Exception {
    MetricsHttpServer server = start(backend());
    HttpResponse<byte[]> r =
        send(
            server,
            get(server, "/metrics")
                .header(
                    "Accept",
                    "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5"));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type").orElseThrow())
        .startsWith("application/openmetrics-text; version=1.0.0");
    assertThat(text(r)).endsWith("# EOF\n").contains("# TYPE osapi_jobs_created counter\n");
  }

  @Test
  void gzipsWhenTheClientAcceptsIt() throws Exception {
    MetricsHttpServer server = start(backend());
    HttpResponse<byte[]> r =
        send(server, get(server, "/metrics").header("Accept-Encoding", "br;q=1.0, gzip;q=0.8"));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Encoding")).hasValue("gzip");
    String body;
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(r.body()))) {
      body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(body).contains("osapi_jobs_created_total");

    HttpResponse<byte[]> plain =
        send(server, get(server, "/metrics").header("Accept-Encoding", "gzip;q=0"));
    assertThat(plain.headers().firstValue("Content-Encoding")).isEmpty();
    assertThat(text(plain)).contains("osapi_jobs_created_total");
  }

  @Test
  void headHasTheHeadersAndNoBody() throws Exception {
    MetricsHttpServer server = start(backend());
    HttpResponse<byte[]> r =
        send(server, get(server, "/metrics").method("HEAD", HttpRequest.BodyPublishers.noBody()));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type"))
        .hasValue("text/plain; version=0.0.4; charset=utf-8");
    assertThat(r.body()).isEmpty();
  }

  @Test
  void headWithGzipHasTheHeadersAndNoBody() throws Exception {
    MetricsHttpServer server = start(backend());
    HttpResponse<byte[]> r =
        send(server, get(server, "/metrics").header("Accept-Encoding", "gzip")
            .method("HEAD", HttpRequest.BodyPublishers.noBody()));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Encoding")).hasValue("gzip");
    assertThat(r.body()).isEmpty();
    assertThat(send(server, get(server, "/health")).statusCode()).isEqualTo(200);
  }

  @Test
  void servesPrometheusProtobufWhenAsked() throws Exception {
    MetricsHttpServer server = start(backend());
    HttpResponse<byte[]> r =
        send(server, get(server, "/metrics").header("Accept",
            "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;"
                + "encoding=delimited;q=0.7,text/plain;version=0.0.4;q=0.3"));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type").orElseThrow())
        .startsWith("application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily");
    // length-delimited MetricFamily messages: the family names are in there as bytes
    assertThat(new String(r.body(), StandardCharsets.ISO_8859_1))
        .contains("osapi_jobs_created_total")
        .doesNotContain("# TYPE");
  }

  @Test
  void nameParametersSelectFamilies() throws Exception {
    MetricsHttpServer server = start(backend());
    HttpResponse<byte[]> r =
        send(server, get(server, "/metrics?name[]=osapi_component_up&name[]=osapi_jobs_created"));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(text(r))
        .contains("osapi_component_up 1.0\n")
        .contains("osapi_jobs_created_total{operation=\"node.hostname.get\"} 1.0\n")
        .doesNotContain("osapi_jobs_completed");
  }

  @Test
  void pathsMatchExactly() throws Exception {
    MetricsHttpServer server = start(backend());
    assertThat(send(server, get(server, "/metrics?name[]=osapi_jobs_active")).statusCode())
        .isEqualTo(200);
    for (String path : List.of("/", "/metrics/", "/metricsx", "/Metrics", "/health/", "/x")) {
      HttpResponse<byte[]> r = send(server, get(server, path));
      assertThat(r.statusCode()).as(path).isEqualTo(404);
      assertThat(text(r)).isEqualTo("not found\n");
    }
  }

  @Test
  void otherMethodsGet405WithAllow() throws Exception {
    MetricsHttpServer server = start(backend());
    for (String method : List.of("POST", "PUT", "DELETE", "PATCH", "OPTIONS")) {
      for (String path : List.of("/metrics", "/health", "/health/ready")) {
        HttpResponse<byte[]> r =
            send(server, get(server, path).method(method, HttpRequest.BodyPublishers.ofString("x")));
        assertThat(r.statusCode()).as("%s %s", method, path).isEqualTo(405);
        assertThat(r.headers().firstValue("Allow")).hasValue("GET, HEAD");
      }
    }
  }

  @Test
  void aRequestBodyIsRefusedWith413() throws Exception {
    MetricsHttpServer server = start(backend());
    HttpResponse<byte[]> r =
        send(
            server,
            get(server, "/metrics").method("GET", HttpRequest.BodyPublishers.ofString("payload")));
    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(text(r)).contains("request body");
    // the server still answers afterwards
    assertThat(send(server, get(server, "/health")).statusCode()).isEqualTo(200);
  }

  @Test
  void liveness() throws Exception {
    MetricsHttpServer server =
        start(
            MetricsHttpServer.builder(backend())
                .port(0)
                .readiness(() -> Readiness.down(Map.of("nats", "disconnected"))));
    HttpResponse<byte[]> r = send(server, get(server, "/health"));
    assertThat(r.statusCode()).as("liveness does not depend on readiness").isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(text(r)).isEqualTo("{\"status\":\"up\"}");
  }

  @Test
  void readinessFollowsTheSupplier() throws Exception {
    AtomicReference<Readiness> state =
        new AtomicReference<>(
            Readiness.down(Map.of("nats", "disconnected", "worker", "not subscribed")));
    MetricsHttpServer server =
        start(MetricsHttpServer.builder(backend()).port(0).readiness(state::get));
    HttpResponse<byte[]> down = send(server, get(server, "/health/ready"));
    assertThat(down.statusCode()).isEqualTo(503);
    assertThat(text(down))
        .isEqualTo(
            "{\"status\":\"down\",\"reasons\":{\"nats\":\"disconnected\","
                + "\"worker\":\"not subscribed\"}}");
    state.set(Readiness.up());
    HttpResponse<byte[]> up = send(server, get(server, "/health/ready"));
    assertThat(up.statusCode()).isEqualTo(200);
    assertThat(text(up)).isEqualTo("{\"status\":\"up\"}");
  }

  @Test
  void aThrowingReadinessIsNotReady() throws Exception {
    MetricsHttpServer server =
        start(
            MetricsHttpServer.builder(backend())
                .port(0)
                .readiness(
                    () -> {
                      throw new IllegalStateException("boom");
                    }));
    HttpResponse<byte[]> r = send(server, get(server, "/health/ready"));
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(text(r)).contains("readiness check failed");
  }

  @Test
  void aFailedScrapeIs500WithAShortMessage() throws Exception {
    MetricsHttpServer throwing =
        start(
            registryOf(
                () -> {
                  throw new IllegalStateException("boom");
                }));
    HttpResponse<byte[]> t =
        send(throwing, get(throwing, "/metrics").header("Accept-Encoding", "gzip"));
    assertThat(t.statusCode()).isEqualTo(500);
    assertThat(t.headers().firstValue("Content-Type")).hasValue("text/plain; charset=utf-8");
    assertThat(t.headers().firstValue("Content-Encoding")).isEmpty();
    assertThat(text(t)).isEqualTo("metrics collection failed: IllegalStateException\n");

    MetricsHttpServer nothing = start(registryOf(() -> null));
    assertThat(send(nothing, get(nothing, "/metrics")).statusCode()).isEqualTo(500);
  }

  @Test
  void closeStopsTheServerAndFreesThePort() throws Exception {
    MetricsHttpServer server = MetricsHttpServer.builder(backend()).port(0).start();
    int port = server.port();
    assertThat(send(server, get(server, "/health")).statusCode()).isEqualTo(200);
    server.close();
    server.close();
    assertThatThrownBy(
            () -> {
              try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
              }
            })
        .isInstanceOf(ConnectException.class);
    MetricsHttpServer again = start(MetricsHttpServer.builder(backend()).port(port));
    assertThat(send(again, get(again, "/health")).statusCode()).isEqualTo(200);
  }

  @Test
  void scrapesAreBoundedAndHealthNeverWaitsForThem() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    MetricsHttpServer server =
        start(
            MetricsHttpServer.builder(
                    registryOf(() -> {
                      entered.countDown();
                      try {
                        release.await(10, TimeUnit.SECONDS);
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                      return new MetricSnapshots();
                    }))
                .port(0)
                .threads(1)
                .connections(3));
    CompletableFuture<HttpResponse<byte[]>> first =
        client.sendAsync(get(server, "/metrics").build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();
    // the one scrape slot is taken: liveness and readiness still answer at once
    long t0 = System.nanoTime();
    assertThat(send(server, get(server, "/health")).statusCode()).isEqualTo(200);
    assertThat(send(server, get(server, "/health/ready")).statusCode()).isEqualTo(200);
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(1));
    // a second scrape waits for its turn (a second exchange thread); with three exchanges in
    // progress (the cap) further connections are closed by the JDK server
    CompletableFuture<HttpResponse<byte[]>> second =
        HttpClient.newHttpClient().sendAsync(get(server, "/metrics").build(),
            HttpResponse.BodyHandlers.ofByteArray());
    CompletableFuture<HttpResponse<byte[]>> third =
        HttpClient.newHttpClient().sendAsync(get(server, "/metrics").build(),
            HttpResponse.BodyHandlers.ofByteArray());
    // three exchanges in progress: the first scrape, the second and third waiting for its turn
    Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
        .until(() -> ExchangeThreads.busy("osapi-metrics-http"), n -> n == 3);
    List<CompletableFuture<HttpResponse<byte[]>>> more = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      more.add(
          HttpClient.newHttpClient()
              .sendAsync(get(server, "/health").build(), HttpResponse.BodyHandlers.ofByteArray()));
    }
    Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
        .until(() -> more.stream().filter(CompletableFuture::isCompletedExceptionally).count() >= 3);
    assertThat(more.stream().filter(CompletableFuture::isCompletedExceptionally).count())
        .isEqualTo(3);
    release.countDown();
    assertThat(first.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(second.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(third.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(send(server, get(server, "/health")).statusCode()).isEqualTo(200);
  }

  @Test
  void aScrapeThatCannotGetATurnIs503() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch entered = new CountDownLatch(1);
    MetricsHttpServer server =
        start(
            MetricsHttpServer.builder(
                    registryOf(() -> {
                      entered.countDown();
                      try {
                        release.await(20, TimeUnit.SECONDS);
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                      return new MetricSnapshots();
                    }))
                .port(0)
                .threads(1));
    CompletableFuture<HttpResponse<byte[]>> first =
        client.sendAsync(get(server, "/metrics").build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(entered.await(5, TimeUnit.SECONDS)).as("the first scrape holds the turn").isTrue();
    HttpResponse<byte[]> r = HttpClient.newHttpClient().send(get(server, "/metrics").build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
    release.countDown();
    assertThat(first.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
  }

  @Test
  void theJdkLimitsAreSetBeforeTheFirstServer() throws Exception {
    // the JDK reads sun.net.httpserver.nodelay once, when its first server is created; Main sets
    // it at process start, and HttpLimitsAtTestStart at the start of the test JVM. The time it
    // saves (about 40 ms per scrape of delayed-ACK stall) is measured by scripts/bench-scrape.sh,
    // not by a timed unit test.
    MetricsHttpServer server = start(backend());
    assertThat(System.getProperty("sun.net.httpserver.nodelay")).isEqualTo("true");
    assertThat(System.getProperty("sun.net.httpserver.maxReqTime")).isEqualTo("10");
    assertThat(System.getProperty("sun.net.httpserver.maxRspTime")).isEqualTo("30");
    assertThat(System.getProperty("jdk.httpserver.maxConnections")).isEqualTo("1000");
    assertThat(send(server, get(server, "/metrics")).statusCode()).isEqualTo(200);
  }

  @Test
  void acceptEncodingParsing() {
    assertThat(ScrapeExchange.acceptsGzip(null)).isFalse();
    assertThat(ScrapeExchange.acceptsGzip("identity")).isFalse();
    assertThat(ScrapeExchange.acceptsGzip("gzip")).isTrue();
    assertThat(ScrapeExchange.acceptsGzip("deflate, GZIP;q=0.5")).isTrue();
    assertThat(ScrapeExchange.acceptsGzip("gzip;q=0")).isFalse();
    assertThat(ScrapeExchange.acceptsGzip("x-gzip")).isFalse();
  }
}

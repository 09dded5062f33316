package io.osapi.adapter.otel;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The optional OTLP http/protobuf push, against a real local HTTP receiver. */
@Timeout(30)
class OtlpPushTest {

  record Received(String method, String path, String contentType, byte[] body) {
    boolean mentions(String s) {
      return new String(body, StandardCharsets.ISO_8859_1).contains(s);
    }
  }

  private HttpServer receiver;
  private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();

  @BeforeEach
  void startReceiver() throws IOException {
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext(
        "/",
        exchange -> {
          byte[] body = exchange.getRequestBody().readAllBytes();
          received.add(
              new Received(
                  exchange.getRequestMethod(),
                  exchange.getRequestURI().getPath(),
                  exchange.getRequestHeaders().getFirst("Content-Type"),
                  body));
          exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    receiver.start();
  }

  @AfterEach
  void stopReceiver() {
    receiver.stop(0);
  }

  @Test
  void pushesTheJobMetricsPeriodically() throws InterruptedException {
    URI endpoint =
        URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/v1/metrics");
    OtelMetricsConfig config =
        OtelMetricsConfig.builder()
            .runtimeMetricsEnabled(false)
            .otlp(
                new OtelMetricsConfig.Otlp(
                    endpoint, Duration.ofMillis(200), Duration.ofSeconds(5)))
            .build();
    try (OtelMetricsBackend backend = new OtelMetricsBackend(config)) {
      backend.jobMetrics(Set.of("node.hostname.get")).jobCreated("node.hostname.get");
      Received push = null;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      while (System.nanoTime() < deadline) {
        Received r = received.poll(500, TimeUnit.MILLISECONDS);
        if (r != null && r.mentions("osapi.jobs.created")) {
          push = r;
          break;
        }
      }
      assertThat(push).as("an OTLP push with osapi.jobs.created").isNotNull();
      assertThat(push.method()).isEqualTo("POST");
      assertThat(push.path()).isEqualTo("/v1/metrics");
      assertThat(push.contentType()).isEqualTo("application/x-protobuf");
      assertThat(push.mentions("node.hostname.get")).isTrue();
      // the Prometheus side works next to the push
      assertThat(backend.scrape(null).bodyText()).contains("osapi_jobs_created_total");
    }
  }
}
